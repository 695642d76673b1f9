package dev.prefixflow.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefixflow.sampling.SamplingParams;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Requests with different LoRA adapters and none in one engine: batching, prefix cache, unknown names. */
class LoraEngineTest {
    private static final String[] ADAPTERS = {null, "psalms", "gospels"};
    private static final int MAX_TOKENS = 24;

    private static Request request(String id, String prompt, String lora) {
        int[] ids = TestEngines.model().tokenizer().encode(prompt, true);
        return new Request(id, ids, SamplingParams.greedy(MAX_TOKENS).withIgnoreEos(true), lora);
    }

    @Test
    void aBatchMixingAdaptersGivesEveryRequestItsSingleRequestTokens() {
        String[] prompts = {"And the LORD said unto Moses", "Blessed is the man", "In the beginning"};
        List<Request> requests = new ArrayList<>();
        for (int p = 0; p < prompts.length; p++) {
            for (String lora : ADAPTERS) {
                requests.add(request(p + "/" + lora, prompts[p], lora));
            }
        }
        LlmEngine engine = TestEngines.engine(new EngineConfig(16, 512, 16, 64, true));
        requests.forEach(engine::addRequest);
        Map<String, RequestResult> batched = new HashMap<>();
        engine.runUntilDone().forEach(r -> batched.put(r.id(), r));
        // All nine were admitted in the first step and decoded together: one step per token.
        assertEquals(MAX_TOKENS, engine.metrics().steps());

        for (Request r : requests) {
            RequestResult alone = TestEngines.run(new EngineConfig(1, 512, 16, 64, false), List.of(r)).get(r.id());
            assertArrayEquals(alone.tokenIds(), batched.get(r.id()).tokenIds(), r.id());
        }
        for (int p = 0; p < prompts.length; p++) {
            int[] base = batched.get(p + "/null").tokenIds();
            assertFalse(Arrays.equals(base, batched.get(p + "/psalms").tokenIds()), "psalms changes prompt " + p);
            assertFalse(Arrays.equals(base, batched.get(p + "/gospels").tokenIds()), "gospels changes prompt " + p);
        }
    }

    @Test
    void identicalPromptsUnderDifferentAdaptersShareNoCachedBlocks() {
        // 48 prompt tokens: three full blocks of 16 that could be cached.
        int[] prompt = TestEngines.model().tokenizer().encode(
                "And God said, Let there be light: and there was light. And God saw the light, that it was good:"
                        + " and God divided the light from the darkness.", true);
        prompt = Arrays.copyOf(prompt, 48);
        LlmEngine engine = TestEngines.engine(new EngineConfig(4, 512, 16, 64, true));
        RequestResult first = runOne(engine, new Request("psalms-1", prompt, SamplingParams.greedy(4), "psalms"));
        assertEquals(0, first.usage().cachedTokens());
        assertEquals(0, runOne(engine, new Request("gospels", prompt, SamplingParams.greedy(4), "gospels"))
                .usage().cachedTokens());
        assertEquals(0, runOne(engine, new Request("none", prompt, SamplingParams.greedy(4), null))
                .usage().cachedTokens());
        // The same adapter again does hit, so the zeros above are the adapters' doing.
        RequestResult again = runOne(engine, new Request("psalms-2", prompt, SamplingParams.greedy(4), "psalms"));
        assertEquals(32, again.usage().cachedTokens());
        assertArrayEquals(first.tokenIds(), again.tokenIds());
    }

    @Test
    void anUnknownAdapterIsAnErrorForThatRequestOnly() {
        Request unknown = request("unknown", "Blessed is the man", "proverbs");
        Request known = request("known", "Blessed is the man", "psalms");
        Map<String, RequestResult> results = TestEngines.run(new EngineConfig(4, 512, 16, 64, true),
                List.of(unknown, known));
        RequestResult error = results.get("unknown");
        assertTrue(error.isError());
        assertTrue(error.error().message().contains("unknown LoRA adapter 'proverbs'"), error.error().message());
        assertEquals(MAX_TOKENS, results.get("known").tokenIds().length);
    }

    private static RequestResult runOne(LlmEngine engine, Request r) {
        engine.addRequest(r);
        return engine.runUntilDone().get(0);
    }
}
