package dev.prefixflow.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefixflow.engine.tier.BlockTier;
import dev.prefixflow.generate.FinishReason;
import dev.prefixflow.lora.LoraAdapters;
import dev.prefixflow.sampling.SamplingParams;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Requests that can never run finish at once with an error; the others run beside them. */
class ImpossibleRequestsTest {

    @Test
    void impossibleRequestsGetErrorResultsAndTheRestRun() {
        int context = TestEngines.model().config().contextLength();
        int vocab = TestEngines.model().config().vocabSize();
        // 10 blocks of 16 tokens: 160 tokens per sequence at most.
        LlmEngine engine = TestEngines.engine(new EngineConfig(4, 64, 16, 10, true));
        List<Request> requests = List.of(
                new Request("too-long", ids(context + 1), SamplingParams.greedy(4), null),
                new Request("beyond-context", ids(context - 10), SamplingParams.greedy(20), null),
                new Request("beyond-pool", ids(150), SamplingParams.greedy(20), null),
                new Request("empty", new int[0], SamplingParams.greedy(4), null),
                new Request("bad-token", new int[] {1, vocab}, SamplingParams.greedy(4), null),
                new Request("fits", ids(100), SamplingParams.greedy(4).withIgnoreEos(true), null),
                new Request("zero-tokens", ids(5), SamplingParams.greedy(0), null));
        requests.forEach(engine::addRequest);
        Map<String, RequestResult> results = PrefixCacheEfficacyTest.collect(engine.runUntilDone());
        assertEquals(requests.size(), results.size());

        assertError(results.get("too-long"), "context length is " + context);
        assertError(results.get("beyond-context"), "max_tokens (20)");
        assertError(results.get("beyond-pool"), "the whole pool has 10");
        assertError(results.get("empty"), "empty");
        assertError(results.get("bad-token"), "token id " + vocab);

        RequestResult fits = results.get("fits");
        assertNull(fits.error());
        assertEquals(4, fits.tokenIds().length);
        RequestResult zero = results.get("zero-tokens");
        assertNull(zero.error());
        assertEquals(FinishReason.LENGTH, zero.finishReason());
        assertEquals(0, zero.tokenIds().length);
        assertEquals(requests.size(), engine.metrics().requestsFinished());
    }

    @Test
    void timingsComeFromTheInjectedClock() {
        long[] now = {0};
        // Each clock reading advances 1 ms, so every interval is a whole, positive number of ms.
        LlmEngine engine = new LlmEngine(TestEngines.model(), TestEngines.attention(),
                new EngineConfig(2, 64, 16, 64, true), LoraAdapters.NONE, BlockTier.NONE,
                () -> now[0] += 1_000_000);
        engine.addRequest(new Request("timed", ids(10), SamplingParams.greedy(3).withIgnoreEos(true), null));
        RequestResult r = engine.runUntilDone().get(0);
        RequestResult.Timings t = r.timings();
        assertTrue(t.queuedMs() >= 1 && t.queuedMs() < t.ttftMs() && t.ttftMs() < t.e2eMs(), t.toString());
        assertEquals(Math.rint(t.e2eMs()), t.e2eMs(), 1e-9);
    }

    private static void assertError(RequestResult r, String expected) {
        assertTrue(r.isError(), r.id());
        assertTrue(r.error().message().contains(expected), r.id() + ": " + r.error().message());
        assertEquals("invalid_request_error", r.error().type());
        assertEquals(0, r.tokenIds().length);
        assertNull(r.finishReason());
    }

    private static int[] ids(int n) {
        return IntStream.range(0, n).map(i -> 3 + i % 1000).toArray();
    }
}
