package dev.prefixflow.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prefixflow.conformance.GreedyReferences;
import dev.prefixflow.engine.tier.BlockTier;
import dev.prefixflow.engine.tier.InMemoryTierStore;
import dev.prefixflow.engine.tier.KvBlockCodec;
import dev.prefixflow.engine.tier.ModelFingerprint;
import dev.prefixflow.engine.tier.StoredBlockTier;
import dev.prefixflow.lora.LoraAdapters;
import dev.prefixflow.model.ForwardBatch;
import dev.prefixflow.model.LoadedModel;
import dev.prefixflow.model.Model;
import dev.prefixflow.model.ModelConfig;
import dev.prefixflow.model.ModelLoader;
import dev.prefixflow.platform.KvPool;
import dev.prefixflow.sampling.SamplingParams;
import dev.prefixflow.testing.WindowedModels;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A model whose every layer has a sliding window (phi3-ref.gguf with its window set to 20) through
 * the whole engine, which gives back the blocks no query can see any more: the greedy tokens of a
 * float64 NumPy forward with the same window (models/arch/phi3-window20-references.json, 64 tokens
 * after prompts of 48 to 96), whatever the chunking, with prefix caching on and off, with
 * preemption, in pools smaller than one sequence, and the same as an engine that keeps every block.
 */
class SlidingWindowBlockReleaseTest {
    private static final int WINDOW = 20;

    @TempDir
    static Path dir;
    private static Path file;
    private static LoadedModel model;
    private static JsonNode prompts;

    @BeforeAll
    static void load() throws IOException {
        file = WindowedModels.phi3(WINDOW, dir);
        model = ModelLoader.load(file, TestEngines.platform());
        prompts = GreedyReferences.read("arch/phi3-window20-references.json").prompts();
        assertEquals(WINDOW, model.model().attentionWindow());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    static Stream<EngineConfig> configs() {
        return Stream.of(
                // Whole prompts in one step, without chunked prefill.
                new EngineConfig(4, 512, 16, 64, false, PreemptionMode.RECOMPUTE, false),
                new EngineConfig(4, 512, 16, 64, true),
                // Chunks of 7 and 16 tokens across window and block edges, caching on and off.
                new EngineConfig(4, 7, 8, 64, true),
                new EngineConfig(4, 16, 4, 64, false),
                // Four sequences in 12 blocks of 4 tokens: each needs up to 8 at once, so they preempt.
                new EngineConfig(4, 8, 4, 12, true),
                // One at a time in 8 blocks of 4 tokens: every sequence (112 to 160 tokens) is 4 to 5
                // times the pool.
                new EngineConfig(1, 8, 4, 8, true));
    }

    @ParameterizedTest
    @MethodSource("configs")
    void greedyTokensMatchTheWindowedReference(EngineConfig config) {
        LlmEngine engine = engine(model, config, BlockTier.NONE);
        int rounds = config.prefixCaching() ? 2 : 1;
        Map<String, RequestResult> results = run(engine, rounds);
        for (int round = 0; round < rounds; round++) {
            for (JsonNode p : prompts) {
                RequestResult r = results.get(round + "/" + p.get("name").asText());
                assertNull(r.error(), config + " " + r.error());
                assertArrayEquals(GreedyReferences.ints(p.get("token_ids")), r.tokenIds(),
                        config + " round " + round + " " + p.get("name").asText());
                if (config.numKvBlocks() == 8) {
                    int blocks = (r.promptTokenIds().length + r.tokenIds().length + 3) / 4;
                    assertTrue(blocks >= 28, "the sequence needs " + blocks + " blocks of 4, the pool has 8");
                }
            }
        }
        assertTrue(engine.metrics().windowReleasedBlocks() > 0, "blocks out of the window were released");
        if (config.numKvBlocks() == 12) {
            assertTrue(engine.metrics().preemptions() > 0, "the small pool preempts");
        }
    }

    @Test
    void swapPreemptionKeepsOnlyTheWindowsBlocks() {
        EngineConfig config = new EngineConfig(4, 8, 4, 12, true, PreemptionMode.SWAP);
        KvBlockCodec codec = new KvBlockCodec(ModelFingerprint.of(file), LlmEngine.kvPoolSpec(model.config(), config));
        LlmEngine engine = engine(model, config, new StoredBlockTier(codec, 1L << 30, new InMemoryTierStore()));
        Map<String, RequestResult> results = run(engine, 2);
        for (int round = 0; round < 2; round++) {
            for (JsonNode p : prompts) {
                assertArrayEquals(GreedyReferences.ints(p.get("token_ids")),
                        results.get(round + "/" + p.get("name").asText()).tokenIds(), "round " + round);
            }
        }
        assertTrue(engine.metrics().preemptions() > 0, "the small pool preempts");
    }

    /**
     * A follow-up request whose prompt is an earlier sequence and most of its output hits the
     * cache although the pool holds only the window's blocks of it: the hit is longer than the pool.
     */
    @Test
    void aContinuationHitsTheCacheThroughTheWindowsBlocks() {
        EngineConfig config = new EngineConfig(1, 8, 4, 10, true);
        LlmEngine engine = engine(model, config, BlockTier.NONE);
        JsonNode p = prompts.get(3);
        int[] prompt = GreedyReferences.ints(p.get("prompt_token_ids"));
        int[] reference = GreedyReferences.ints(p.get("token_ids"));
        engine.addRequest(new Request("first", prompt, SamplingParams.greedy(64).withIgnoreEos(true), null));
        engine.runUntilDone();
        int[] followUp = Arrays.copyOf(prompt, prompt.length + 60);
        System.arraycopy(reference, 0, followUp, prompt.length, 60);
        engine.addRequest(new Request("next", followUp, SamplingParams.greedy(4).withIgnoreEos(true), null));

        RequestResult r = engine.runUntilDone().get(0);

        assertArrayEquals(Arrays.copyOfRange(reference, 60, 64), r.tokenIds());
        int poolTokens = config.numKvBlocks() * config.blockSize();
        assertTrue(r.usage().cachedTokens() > poolTokens, r.usage().cachedTokens() + " cached tokens, "
                + poolTokens + " slots in the pool");
    }

    /** A pool below what one step of a sequence holds at once (window plus chunk) is still too small. */
    @Test
    void aPoolSmallerThanTheWindowAndAChunkRefusesTheRequest() {
        // Chunks of 8 in blocks of 4: up to ceil((3 + 19 + 8) / 4) = 8 blocks at once.
        LlmEngine engine = engine(model, new EngineConfig(1, 8, 4, 7, true), BlockTier.NONE);
        engine.addRequest(new Request("big", GreedyReferences.ints(prompts.get(0).get("prompt_token_ids")),
                SamplingParams.greedy(8).withIgnoreEos(true), null));
        RequestResult r = engine.runUntilDone().get(0);
        assertEquals("the prompt plus max_tokens needs 8 KV blocks at once (sliding window 20); the whole pool has 7",
                r.error().message());
    }

    /**
     * Releasing changes no token, and a long sequence holds at most (window + chunk) / block size + 1
     * blocks where keeping every block takes the whole sequence.
     */
    @Test
    void releasingGivesTheSameTokensAsKeepingEveryBlockInAFewBlocks() {
        EngineConfig config = new EngineConfig(1, 16, 16, 64, false);
        JsonNode p = prompts.get(3);
        int[] prompt = GreedyReferences.ints(p.get("prompt_token_ids"));
        int[] peak = new int[2];
        List<int[]> tokens = new ArrayList<>();
        for (LoadedModel m : List.of(model, keepingEveryBlock(model))) {
            LlmEngine engine = engine(m, config, BlockTier.NONE);
            engine.addRequest(new Request("p4", prompt, SamplingParams.greedy(64).withIgnoreEos(true), null));
            int used = 0;
            List<RequestResult> done = new ArrayList<>();
            while (engine.hasUnfinishedRequests()) {
                done.addAll(engine.step());
                used = Math.max(used, (int) Math.round(engine.metrics().kvUsage() * config.numKvBlocks()));
            }
            peak[tokens.size()] = used;
            tokens.add(done.get(0).tokenIds());
        }
        assertArrayEquals(tokens.get(1), tokens.get(0));
        assertArrayEquals(GreedyReferences.ints(p.get("token_ids")), tokens.get(0));
        // 96 + 64 tokens: 10 blocks of 16 kept; released, at most ceil((15 + 19 + 16) / 16) = 4.
        System.out.println("phi3 window " + WINDOW + ", 160-token sequence, blocks of 16, chunks of 16: peak "
                + peak[0] + " blocks releasing, " + peak[1] + " keeping every block");
        assertEquals(10, peak[1]);
        assertTrue(peak[0] <= 4, peak[0] + " blocks at the peak");
    }

    private static Map<String, RequestResult> run(LlmEngine engine, int rounds) {
        Map<String, RequestResult> results = new HashMap<>();
        for (int round = 0; round < rounds; round++) {
            for (JsonNode p : prompts) {
                int n = p.get("token_ids").size();
                engine.addRequest(new Request(round + "/" + p.get("name").asText(),
                        GreedyReferences.ints(p.get("prompt_token_ids")),
                        SamplingParams.greedy(n).withIgnoreEos(true), null));
            }
            for (RequestResult r : engine.runUntilDone()) {
                results.put(r.id(), r);
            }
        }
        return results;
    }

    private static LlmEngine engine(LoadedModel m, EngineConfig config, BlockTier tier) {
        return new LlmEngine(m, EngineFactory.attention(m.config(), TestEngines.platform()), config,
                LoraAdapters.NONE, tier, System::nanoTime);
    }

    /** The same model and forward pass, declaring no window to the engine: it keeps every block. */
    private static LoadedModel keepingEveryBlock(LoadedModel m) {
        Model windowed = m.model();
        Model keeping = new Model() {
            @Override
            public ModelConfig config() {
                return windowed.config();
            }

            @Override
            public int attentionWindow() {
                return 0;
            }

            @Override
            public float[][] forward(ForwardBatch batch, KvPool pool) {
                return windowed.forward(batch, pool);
            }
        };
        return new LoadedModel(m.path(), m.file(), keeping, m.tokenizer());
    }
}
