package dev.prefixflow.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefixflow.sampling.SamplingParams;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every request gets exactly the tokens it gets alone, whatever the batching, chunking, prefix
 * caching, block size or preemption: the engine's central promise.
 */
class EngineDeterminismTest {
    static final int BUDGET = 64;
    static List<Request> requests;
    static Map<String, RequestResult> alone;

    @BeforeAll
    static void runEachRequestAlone() {
        requests = mixedRequests(64, new Random(7));
        int blocks = 64;
        alone = TestEngines.run(new EngineConfig(1, 512, 16, blocks, false), requests);
        assertEquals(requests.size(), alone.size());
        for (RequestResult r : alone.values()) {
            assertNull(r.error(), () -> r.id() + ": " + r.error());
            assertTrue(r.tokenIds().length > 0, r.id());
        }
    }

    static Stream<Arguments> configs() {
        return Stream.of(
                Arguments.of(new EngineConfig(32, BUDGET, 16, 1024, true), false),
                Arguments.of(new EngineConfig(32, BUDGET, 16, 1024, false), false),
                Arguments.of(new EngineConfig(1, BUDGET, 16, 1024, true), false),
                Arguments.of(new EngineConfig(32, BUDGET, 8, 2048, true), false),
                Arguments.of(new EngineConfig(32, BUDGET, 32, 512, true), false),
                Arguments.of(new EngineConfig(32, BUDGET, 16, 24, true), true),
                Arguments.of(new EngineConfig(32, BUDGET, 8, 40, false), true));
    }

    @ParameterizedTest
    @MethodSource("configs")
    void batchedTokensEqualTheTokensAlone(EngineConfig config, boolean expectPreemption) {
        LlmEngine engine = TestEngines.engine(config);
        requests.forEach(engine::addRequest);
        List<RequestResult> results = engine.runUntilDone();
        assertEquals(requests.size(), results.size());
        for (RequestResult r : results) {
            RequestResult want = alone.get(r.id());
            assertNull(r.error(), () -> r.id() + ": " + r.error());
            assertArrayEquals(want.tokenIds(), r.tokenIds(), r.id() + " tokens");
            assertEquals(want.text(), r.text(), r.id() + " text");
            assertEquals(want.finishReason(), r.finishReason(), r.id() + " finish reason");
        }
        EngineMetrics m = engine.metrics();
        if (expectPreemption) {
            assertTrue(m.preemptions() > 0, "a pool of " + config.numKvBlocks() + " blocks should preempt");
        } else {
            assertEquals(0, m.preemptions());
        }
        if (config.prefixCaching() && !expectPreemption) {
            assertTrue(m.cachedTokens() > 0, "shared prefixes should hit the cache");
        }
        assertEquals(0, m.running());
        assertEquals(0, m.waiting());
    }

    /**
     * Prompts from 1 token to longer than the token budget, many sharing one of a few prefixes;
     * half greedy, half sampled with temperature, top-p, top-k and min-p.
     */
    static List<Request> mixedRequests(int n, Random random) {
        int vocab = TestEngines.model().config().vocabSize();
        int[][] prefixes = IntStream.range(0, 3).mapToObj(i -> random.ints(24 + 40 * i, 3, vocab).toArray())
                .toArray(int[][]::new);
        List<Request> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int[] prefix = i % 4 == 3 ? new int[0] : prefixes[random.nextInt(prefixes.length)];
            int suffix = i % 8 == 0 ? 1 : random.nextInt(1, 60);
            int[] prompt = IntStream.concat(IntStream.of(prefix), random.ints(suffix, 3, vocab)).toArray();
            if (i % 16 == 5) {
                prompt = new int[] {1};
            }
            int maxTokens = random.nextInt(8, 25);
            SamplingParams params = i % 2 == 0 ? SamplingParams.greedy(maxTokens)
                    : new SamplingParams(maxTokens, 0.6f + random.nextFloat(), i % 3 == 0 ? 40 : 0,
                            i % 5 == 0 ? 1f : 0.9f, i % 7 == 0 ? 0.05f : 0f, random.nextLong(), List.of(), List.of(),
                            i % 4 == 1, false);
            out.add(new Request("r" + i, prompt, params, null));
        }
        return out;
    }
}
