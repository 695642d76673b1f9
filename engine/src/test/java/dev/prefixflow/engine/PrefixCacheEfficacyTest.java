package dev.prefixflow.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefixflow.sampling.SamplingParams;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Requests that share a prefix and arrive together compute it once. */
class PrefixCacheEfficacyTest {
    static final int K = 6;
    static final int PREFIX = 70;
    static final int MAX_TOKENS = 5;

    @ParameterizedTest
    @ValueSource(ints = {8, 16, 32})
    void sharedPrefixIsComputedOnce(int blockSize) {
        List<Request> requests = sharedPrefixRequests(new Random(blockSize));
        LlmEngine engine = TestEngines.engine(new EngineConfig(32, 512, blockSize, 256, true));
        requests.forEach(engine::addRequest);
        Map<String, RequestResult> results = collect(engine.runUntilDone());

        int cachedPerRequest = PREFIX / blockSize * blockSize;
        long cached = 0;
        long expectedComputed = 0;
        for (Request r : requests) {
            RequestResult result = results.get(r.id());
            assertEquals(MAX_TOKENS, result.tokenIds().length, r.id());
            cached += result.usage().cachedTokens();
            // Uncached prompt tokens, then every generated token but the last goes through a decode.
            expectedComputed += r.promptTokenIds().length - result.usage().cachedTokens() + MAX_TOKENS - 1;
        }
        assertTrue(cached >= (long) (K - 1) * cachedPerRequest, "cached " + cached + " tokens");
        EngineMetrics m = engine.metrics();
        assertEquals(cached, m.cachedTokens());
        assertEquals(expectedComputed, m.computedTokens());
        assertEquals((double) cached / m.promptTokens(), m.prefixCacheHitRate(), 1e-12);
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void withoutCachingEveryPromptTokenIsComputed(boolean prefixCaching) {
        List<Request> requests = sharedPrefixRequests(new Random(3));
        LlmEngine engine = TestEngines.engine(new EngineConfig(32, 512, 16, 256, prefixCaching));
        requests.forEach(engine::addRequest);
        engine.runUntilDone();
        long promptTokens = requests.stream().mapToLong(r -> r.promptTokenIds().length).sum();
        EngineMetrics m = engine.metrics();
        assertEquals(promptTokens, m.promptTokens());
        long uncached = promptTokens - m.cachedTokens();
        assertEquals(uncached + (long) K * (MAX_TOKENS - 1), m.computedTokens());
        assertEquals(prefixCaching, m.cachedTokens() > 0);
    }

    /** Only uncached tokens count against the budget: a cached 64-token prefix fits a 32-token step. */
    @ParameterizedTest
    @ValueSource(ints = {16})
    void cachedTokensDoNotConsumeTheTokenBudget(int blockSize) {
        Random random = new Random(11);
        int vocab = TestEngines.model().config().vocabSize();
        int[] prefix = random.ints(64, 3, vocab).toArray();
        LlmEngine engine = TestEngines.engine(new EngineConfig(4, 32, blockSize, 64, true));
        engine.addRequest(new Request("first", concat(prefix, random.ints(16, 3, vocab).toArray()),
                SamplingParams.greedy(1), null));
        engine.runUntilDone();
        int[] second = concat(prefix, random.ints(20, 3, vocab).toArray());
        List<String> pieces = new ArrayList<>();
        engine.addRequest(new Request("second", second, SamplingParams.greedy(2).withIgnoreEos(true), null),
                pieces::add);
        long computedBefore = engine.metrics().computedTokens();
        engine.step();
        assertEquals(1, pieces.size(), "84-token prompt with 64 cached: prefilled in one 32-token step");
        assertEquals(20, engine.metrics().computedTokens() - computedBefore);
    }

    static List<Request> sharedPrefixRequests(Random random) {
        int vocab = TestEngines.model().config().vocabSize();
        int[] prefix = random.ints(PREFIX, 3, vocab).toArray();
        List<Request> out = new ArrayList<>();
        for (int i = 0; i < K; i++) {
            int[] prompt = concat(prefix, random.ints(3 + i, 3, vocab).toArray());
            out.add(new Request("s" + i, prompt, SamplingParams.greedy(MAX_TOKENS).withIgnoreEos(true), null));
        }
        return out;
    }

    static int[] concat(int[] a, int[] b) {
        return IntStream.concat(IntStream.of(a), IntStream.of(b)).toArray();
    }

    static Map<String, RequestResult> collect(List<RequestResult> results) {
        Map<String, RequestResult> byId = new java.util.HashMap<>();
        results.forEach(r -> byId.put(r.id(), r));
        return byId;
    }
}
