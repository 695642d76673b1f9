package dev.prefixflow.benchmarks;

import dev.prefixflow.engine.EngineConfig;
import dev.prefixflow.engine.LlmEngine;
import dev.prefixflow.engine.Request;
import dev.prefixflow.engine.structured.StructuredOutputStats;
import dev.prefixflow.engine.structured.StructuredOutputsParams;
import dev.prefixflow.engine.tier.BlockTier;
import dev.prefixflow.lora.LoraAdapters;
import dev.prefixflow.model.LoadedModel;
import dev.prefixflow.platform.AttentionBackend;
import dev.prefixflow.sampling.SamplingParams;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Structured outputs' cost: the same requests (prompts, seeds, max_tokens, EOS ignored so that every
 * request generates exactly max_tokens tokens) run alternately unconstrained and constrained by a
 * JSON schema: unconstrained on a fresh engine, constrained on a fresh engine with a schema this JVM
 * has not compiled (cold: the compile and every mask are on its clock), unconstrained again on a
 * fresh engine, and constrained again on the constrained engine, whose compiled schema and token
 * masks are cached by then (warm). Each constrained run is compared with the unconstrained run just
 * before it. Mask build time is spent off the step where it can be (masks are built while the
 * forward pass runs); mask apply time (waiting for a mask included) is on it.
 */
public final class StructuredOutputsBench {
    /**
     * An extraction schema: a list of records whose text never ends before max_tokens. %d is filled
     * with a number per run: the language stays the same, but the JVM's cache of compiled constraints
     * (keyed by the schema's text) does not know the schema, so every cold run compiles it.
     */
    static final String SCHEMA = """
            {"description": "run %d", "type": "array", "items": {"type": "object", "properties": {
               "name": {"type": "string", "maxLength": 16},
               "age": {"type": "integer", "minimum": 0, "maximum": 120},
               "label": {"enum": ["positive", "negative", "neutral"]},
               "id": {"type": "string", "format": "uuid"}},
             "required": ["name", "age", "label"], "additionalProperties": false}}""";

    /**
     * @param unconstrainedSeconds wall time of the unconstrained run before the cold one; {@code
     *     coldSeconds} of the first constrained run; {@code unconstrainedAgainSeconds} of the
     *     unconstrained run before the warm one, {@code warmSeconds} of the second constrained run
     * @param compileMs compiling the schema, on a compile thread while the first constrained batch's
     *     prompts are computed, then waited for (the vocabulary trie included if this run built it:
     *     {@code trieMs})
     * @param masksBuilt masks built over both constrained runs (one per schema state reached)
     * @param buildMsPerMask mean time to build one mask (a walk of the vocabulary trie)
     * @param coldApplyUsPerToken mean time per constrained token to fetch and apply its mask in the
     *     first constrained run ({@code warmApplyUsPerToken}: in the second)
     */
    public record Result(int requests, long tokensPerRun, double unconstrainedSeconds, double coldSeconds,
                         double unconstrainedAgainSeconds, double warmSeconds, double compileMs, double trieMs,
                         long masksBuilt, double buildMsPerMask, double coldApplyUsPerToken,
                         double warmApplyUsPerToken) {
        public double coldRatio() {
            return unconstrainedSeconds / coldSeconds;
        }

        public double warmRatio() {
            return unconstrainedAgainSeconds / warmSeconds;
        }
    }

    private static final AtomicInteger RUNS = new AtomicInteger();

    private StructuredOutputsBench() {
    }

    /**
     * @param temperature 0 for greedy decoding (an arg max: the mask is the only extra work), else
     *     seeded sampling (whose sort of the logits gets cheaper when most are masked out)
     */
    public static Result run(LoadedModel model, AttentionBackend attention, int requests, int promptTokens,
                             int maxTokens, int maxNumSeqs, float temperature) {
        EngineConfig config = new EngineConfig(maxNumSeqs, Math.max(512, promptTokens * maxNumSeqs), 16,
                maxNumSeqs * ((promptTokens + maxTokens) / 16 + 2), true);
        StructuredOutputsParams schema = StructuredOutputsParams.jsonSchema(String.format(SCHEMA,
                RUNS.incrementAndGet()));
        int vocab = model.config().vocabSize();
        List<Request> plain = requests(vocab, requests, promptTokens, maxTokens, temperature, null);
        List<Request> constrained = requests(vocab, requests, promptTokens, maxTokens, temperature, schema);

        double unconstrained = timed(engine(model, attention, config), plain);
        LlmEngine engine = engine(model, attention, config);
        StructuredOutputStats stats = engine.structuredOutputStats();
        double cold = timed(engine, constrained);
        long coldApply = stats.applyNanos();
        long coldApplied = stats.applied();
        double unconstrainedAgain = timed(engine(model, attention, config), plain);
        double warm = timed(engine, constrained);
        long tokens = (long) requests * maxTokens;
        return new Result(requests, tokens, unconstrained, cold, unconstrainedAgain, warm, stats.compileNanos() / 1e6,
                stats.trieNanos() / 1e6, stats.masksBuilt(), stats.buildNanos() / 1e6 / Math.max(1, stats.masksBuilt()),
                coldApply / 1e3 / coldApplied, (stats.applyNanos() - coldApply) / 1e3 / (stats.applied() - coldApplied));
    }

    private static LlmEngine engine(LoadedModel model, AttentionBackend attention, EngineConfig config) {
        return new LlmEngine(model, attention, config, LoraAdapters.NONE, BlockTier.NONE, System::nanoTime);
    }

    private static double timed(LlmEngine engine, List<Request> requests) {
        long start = System.nanoTime();
        requests.forEach(engine::addRequest);
        engine.runUntilDone();
        return (System.nanoTime() - start) / 1e9;
    }

    private static List<Request> requests(int vocabSize, int count, int promptTokens, int maxTokens,
                                          float temperature, StructuredOutputsParams constraint) {
        SplittableRandom random = new SplittableRandom(42);
        List<Request> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int[] prompt = random.ints(promptTokens, 0, vocabSize).toArray();
            SamplingParams params = new SamplingParams(maxTokens, temperature, 0, 1f, 0f, i, List.of(), List.of(), true, false);
            out.add(new Request("r" + i, prompt, params, null, constraint));
        }
        return out;
    }
}
