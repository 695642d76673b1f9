package dev.prefixflow.engine.structured;

import static dev.prefixflow.engine.structured.StructuredOutputsTest.JSON;
import static dev.prefixflow.engine.structured.StructuredOutputsTest.line;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefixflow.engine.EngineConfig;
import dev.prefixflow.engine.EngineFactory;
import dev.prefixflow.engine.LlmEngine;
import dev.prefixflow.engine.RequestResult;
import dev.prefixflow.engine.jsonl.ParsedLine;
import dev.prefixflow.engine.jsonl.RequestParser;
import dev.prefixflow.engine.tier.BlockTier;
import dev.prefixflow.generate.FinishReason;
import dev.prefixflow.lora.LoraAdapters;
import dev.prefixflow.model.LoadedModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Constraints compile off the engine thread: while one compiles (here held back by a gate the test
 * opens), its request's prompt is computed up to the last token and other requests are scheduled and
 * finish; compile errors become error results whenever they arrive; and neither the order compiles
 * finish in nor evicting token masks changes a token.
 */
class StructuredOutputsCompileTest {
    private static final String PLATE = StructuredOutputsTest.PLATE;

    /** Runs submitted compiles only when told to, in the order asked. */
    private static final class Gate implements Executor {
        private final List<Runnable> held = new ArrayList<>();

        @Override
        public synchronized void execute(Runnable task) {
            held.add(task);
        }

        synchronized int held() {
            return held.size();
        }

        /** Runs the compile submitted {@code index}-th among those still held. */
        void open(int index) {
            Runnable task;
            synchronized (this) {
                task = held.remove(index);
            }
            task.run();
        }
    }

    @Test
    void aSlowCompileHoldsBackOnlyItsOwnRequest() throws Exception {
        LoadedModel model = StructuredEngines.qwen2Vocabulary();
        List<String> lines = List.of(
                line("plate", false, "A plate:", 7, 30, "guided_regex", PLATE),
                line("free", false, "Free text", 9, 8, "ignore_eos", true),
                line("person", false, "Who?", 2, 200, "guided_json", JSON.readTree(StructuredOutputsTest.PERSON)));
        Gate gate = new Gate();
        LlmEngine engine = engine(model, new StructuredOutputManager(model.tokenizer(), gate, Runnable::run,
                MaskCache.DEFAULT_BYTES), 8);
        add(engine, model, lines);
        assertEquals(2, gate.held());

        Map<String, RequestResult> results = new LinkedHashMap<>();
        int steps = 0;
        while (!results.containsKey("free")) {
            engine.step().forEach(r -> results.put(r.id(), r));
            steps++;
        }
        // The unconstrained request ran to its end (a prefill step and 7 decode steps, or fewer with
        // the prefill's token) while both constraints were still compiling; the constrained ones
        // computed their prompts but the last token, and drew nothing.
        assertEquals(List.of("free"), List.copyOf(results.keySet()));
        assertEquals(8, results.get("free").tokenIds().length);
        assertTrue(steps <= 8, "steps: " + steps);
        assertEquals(2, engine.metrics().running());
        assertEquals(0, engine.metrics().waiting());
        assertEquals(8, engine.metrics().generatedTokens());
        int prompts = promptTokens(model, lines);
        assertEquals(prompts - 2 + 7, engine.metrics().computedTokens());

        // The later constraint compiles first: its request draws a token a step; the earlier one not yet.
        gate.open(1);
        engine.step().forEach(r -> results.put(r.id(), r));
        engine.step().forEach(r -> results.put(r.id(), r));
        assertEquals(8 + 2, engine.metrics().generatedTokens());
        gate.open(0);
        engine.runUntilDone().forEach(r -> results.put(r.id(), r));

        RequestResult plate = results.get("plate");
        assertNull(plate.error());
        assertEquals(FinishReason.STOP, plate.finishReason());
        assertTrue(Pattern.matches(PLATE, plate.text()), plate.text());
        StructuredOutputsTest.assertValid(StructuredOutputsTest.PERSON, results.get("person").text());

        // The same tokens as when every constraint is ready at once (compiled on the engine thread).
        Map<String, RequestResult> reference = run(model, new StructuredOutputManager(model.tokenizer(),
                Runnable::run, Runnable::run, MaskCache.DEFAULT_BYTES), lines);
        for (RequestResult r : reference.values()) {
            assertArrayEquals(r.tokenIds(), results.get(r.id()).tokenIds(), r.id());
        }
    }

    @Test
    void aConstrainedPromptIsComputedWhileItsConstraintCompiles() throws Exception {
        LoadedModel model = StructuredEngines.qwen2Vocabulary();
        List<String> lines = List.of(line("person", false,
                "Write down, as JSON, the name and the age of the person this long prompt describes:", 2, 200,
                "guided_json", JSON.readTree(StructuredOutputsTest.PERSON)));
        int prompt = promptTokens(model, lines);
        Gate gate = new Gate();
        // 8 tokens a step: the prompt takes several steps.
        LlmEngine engine = engine(model, new StructuredOutputManager(model.tokenizer(), gate, Runnable::run,
                MaskCache.DEFAULT_BYTES), 8, 8);
        add(engine, model, lines);
        assertTrue(prompt > 16, "prompt tokens: " + prompt);
        for (int step = 1; step * 8 < prompt + 16; step++) {
            assertEquals(List.of(), engine.step());
            assertEquals(Math.min(8 * step, prompt - 1), engine.metrics().computedTokens(), "step " + step);
            assertEquals(1, engine.metrics().running());
        }
        // Only the last prompt token is left, and it waits for the constraint.
        assertEquals(0, engine.metrics().generatedTokens());
        assertEquals(1, gate.held());
        gate.open(0);
        Map<String, RequestResult> results = new LinkedHashMap<>();
        engine.runUntilDone().forEach(r -> results.put(r.id(), r));
        RequestResult person = results.get("person");
        StructuredOutputsTest.assertValid(StructuredOutputsTest.PERSON, person.text());

        // The same tokens as with the constraint compiled at once, and with the whole prompt in one step.
        Map<String, RequestResult> atOnce = run(model, new StructuredOutputManager(model.tokenizer(), Runnable::run,
                Runnable::run, MaskCache.DEFAULT_BYTES), lines);
        assertArrayEquals(atOnce.get("person").tokenIds(), person.tokenIds());
    }

    @Test
    void aConstraintThatFailsAfterItsPromptIsComputedFreesItsBlocks() throws Exception {
        LoadedModel model = StructuredEngines.qwen2Vocabulary();
        Gate gate = new Gate();
        LlmEngine engine = engine(model, new StructuredOutputManager(model.tokenizer(), gate, Runnable::run,
                MaskCache.DEFAULT_BYTES), 8);
        List<String> lines = List.of(line("bad", false, "A prompt of some length, computed while the schema compiles",
                1, 20, "guided_json", JSON.readTree("{\"type\": \"object\", \"patternProperties\": {}}")));
        add(engine, model, lines);
        assertEquals(List.of(), engine.step());
        assertEquals(promptTokens(model, lines) - 1, engine.metrics().computedTokens());
        assertTrue(engine.metrics().kvUsage() > 0);
        gate.open(0);
        List<RequestResult> results = engine.step();
        assertEquals(1, results.size());
        assertTrue(results.get(0).error().message().contains("unsupported JSON schema keyword 'patternProperties'"),
                results.get(0).error().message());
        assertEquals(0, engine.metrics().running());
        assertEquals(0.0, engine.metrics().kvUsage());
        assertFalse(engine.hasUnfinishedRequests());
    }

    @Test
    void aConstraintThatFailsToCompileIsAnErrorResultWhenItsCompileEnds() throws Exception {
        LoadedModel model = StructuredEngines.qwen2Vocabulary();
        Gate gate = new Gate();
        LlmEngine engine = engine(model, new StructuredOutputManager(model.tokenizer(), gate, Runnable::run,
                MaskCache.DEFAULT_BYTES), 8);
        add(engine, model, List.of(
                line("bad", false, "x", 1, 20, "guided_json", JSON.readTree("{\"type\": \"object\", \"patternProperties\": {}}")),
                line("free", false, "Free text", 9, 4, "ignore_eos", true)));
        Map<String, RequestResult> results = new LinkedHashMap<>();
        while (!results.containsKey("free")) {
            engine.step().forEach(r -> results.put(r.id(), r));
        }
        assertFalse(results.containsKey("bad"));
        gate.open(0);
        engine.runUntilDone().forEach(r -> results.put(r.id(), r));
        RequestResult bad = results.get("bad");
        assertTrue(bad.error().message().contains("unsupported JSON schema keyword 'patternProperties' at #"),
                bad.error().message());
        assertEquals(0, bad.tokenIds().length);
        assertFalse(engine.hasUnfinishedRequests());
    }

    @Test
    void evictingTokenMasksChangesNoToken() throws Exception {
        LoadedModel model = StructuredEngines.qwen2Vocabulary();
        List<String> lines = List.of(
                line("person", false, "Who?", 2, 120, "guided_json", JSON.readTree(StructuredOutputsTest.PERSON)),
                line("digits", false, "Digits:", 4, 40, "guided_json", JSON.readTree(StructuredOutputsTest.DIGITS)),
                line("plate", false, "A plate:", 7, 30, "guided_regex", PLATE));
        long oneMask = 8L * ((model.tokenizer().vocabularySize() + 63) >>> 6);
        StructuredOutputManager small = new StructuredOutputManager(model.tokenizer(), Runnable::run, Runnable::run,
                2 * oneMask);
        Map<String, RequestResult> evicting = run(model, small, lines);
        assertEquals(2, small.masks().capacity());
        assertTrue(small.masks().size() <= 2);
        assertTrue(small.masks().evictions() > 0, "no mask was evicted");

        StructuredOutputManager roomy = new StructuredOutputManager(model.tokenizer(), Runnable::run, Runnable::run,
                MaskCache.DEFAULT_BYTES);
        Map<String, RequestResult> kept = run(model, roomy, lines);
        assertEquals(0, roomy.masks().evictions());
        // States reached again after their mask was evicted had it rebuilt.
        assertTrue(small.stats().masksBuilt() > roomy.stats().masksBuilt(),
                small.stats().masksBuilt() + " vs " + roomy.stats().masksBuilt());
        for (RequestResult r : kept.values()) {
            assertNull(r.error(), r.id());
            assertArrayEquals(r.tokenIds(), evicting.get(r.id()).tokenIds(), r.id());
        }
    }

    private static LlmEngine engine(LoadedModel model, StructuredOutputManager manager, int maxNumSeqs) {
        return engine(model, manager, maxNumSeqs, 512);
    }

    private static LlmEngine engine(LoadedModel model, StructuredOutputManager manager, int maxNumSeqs,
                                    int maxNumBatchedTokens) {
        return new LlmEngine(model, EngineFactory.attention(model.config(), StructuredEngines.platform()),
                new EngineConfig(maxNumSeqs, maxNumBatchedTokens, 16, 256, true), LoraAdapters.NONE, BlockTier.NONE,
                System::nanoTime, manager);
    }

    private static int promptTokens(LoadedModel model, List<String> lines) {
        RequestParser parser = new RequestParser(model.tokenizer(), model.config().contextLength());
        int n = 0;
        for (int i = 0; i < lines.size(); i++) {
            n += parser.parse(lines.get(i), i + 1).request().promptTokenIds().length;
        }
        return n;
    }

    private static void add(LlmEngine engine, LoadedModel model, List<String> lines) {
        RequestParser parser = new RequestParser(model.tokenizer(), model.config().contextLength());
        for (int i = 0; i < lines.size(); i++) {
            ParsedLine line = parser.parse(lines.get(i), i + 1);
            engine.addRequest(line.request());
        }
    }

    private static Map<String, RequestResult> run(LoadedModel model, StructuredOutputManager manager,
                                                  List<String> lines) {
        LlmEngine engine = engine(model, manager, 8);
        add(engine, model, lines);
        Map<String, RequestResult> byId = new LinkedHashMap<>();
        engine.runUntilDone().forEach(r -> byId.put(r.id(), r));
        return byId;
    }
}
