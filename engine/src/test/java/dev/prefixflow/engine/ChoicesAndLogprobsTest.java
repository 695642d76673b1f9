package dev.prefixflow.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefixflow.sampling.Penalties;
import dev.prefixflow.sampling.SamplingParams;
import dev.prefixflow.sampling.TopLogprobs;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** n choices of one prompt, top logprobs and penalties, on kjv-5m through the engine. */
class ChoicesAndLogprobsTest {
    private static final EngineConfig CONFIG = new EngineConfig(8, 64, 16, 64, true);
    /** "In the beginning God created the heaven and the earth." and more, 18 tokens: a full block and a part. */
    private static final int[] PROMPT = {1, 450, 365, 1023, 1791, 1243, 391, 1492, 261, 450, 365, 1023, 1791, 1243, 391,
        1492, 261, 450};

    private static SamplingParams sampled(int n, int topLogprobs, Penalties penalties) {
        return new SamplingParams(12, 1.0f, 0, 1f, 0f, 42, List.of(), List.of(), true, topLogprobs > 0, topLogprobs,
                penalties, n);
    }

    private static List<RequestResult> choices(SamplingParams params) {
        EngineSession<String> session = new EngineSession<>(TestEngines.engine(CONFIG));
        session.add(new Request("r", PROMPT, params, null), "r");
        List<EngineSession.Finished<String>> done = session.runUntilDone();
        assertEquals(1, done.size(), "the request comes back once, with all its choices");
        for (RequestResult c : done.get(0).choices()) {
            assertFalse(c.isError(), () -> c.error().message());
        }
        return done.get(0).choices();
    }

    @Test
    void choicesDifferUnderSamplingAndAreReproducible() {
        List<RequestResult> first = choices(sampled(4, 0, Penalties.NONE));
        assertEquals(4, first.size());
        Set<List<Integer>> distinct = new HashSet<>();
        for (RequestResult c : first) {
            assertEquals("r", c.id());
            distinct.add(java.util.Arrays.stream(c.tokenIds()).boxed().toList());
        }
        assertTrue(distinct.size() > 1, "4 sampled choices were all the same: " + distinct);
        List<RequestResult> again = choices(sampled(4, 0, Penalties.NONE));
        for (int i = 0; i < 4; i++) {
            assertArrayEquals(first.get(i).tokenIds(), again.get(i).tokenIds(), "choice " + i);
        }
        // Choice 0 is the request itself: n = 1 with the same seed gives its tokens.
        assertArrayEquals(first.get(0).tokenIds(), choices(sampled(1, 0, Penalties.NONE)).get(0).tokenIds());
    }

    @Test
    void topLogprobsAreSortedAndAgreeWithTheChosenToken() {
        SamplingParams greedy = new SamplingParams(10, 0f, 0, 1f, 0f, 0, List.of(), List.of(), true, true, 5,
                Penalties.NONE, 1);
        RequestResult r = choices(greedy).get(0);
        assertEquals(10, r.topLogprobs().size());
        for (int i = 0; i < r.tokenIds().length; i++) {
            TopLogprobs top = r.topLogprobs().get(i);
            assertEquals(5, top.ids().length);
            for (int k = 1; k < 5; k++) {
                assertTrue(top.logprobs()[k - 1] >= top.logprobs()[k], "position " + i + " not sorted");
            }
            // Greedy picks the most likely token: the first alternative, with the same logprob.
            assertEquals(r.tokenIds()[i], top.ids()[0]);
            assertEquals(r.logprobs()[i], top.logprobs()[0], 0f);
        }
        RequestResult sampledResult = choices(sampled(1, 20, Penalties.NONE)).get(0);
        for (int i = 0; i < sampledResult.tokenIds().length; i++) {
            TopLogprobs top = sampledResult.topLogprobs().get(i);
            for (int k = 0; k < top.ids().length; k++) {
                if (top.ids()[k] == sampledResult.tokenIds()[i]) {
                    assertEquals(sampledResult.logprobs()[i], top.logprobs()[k], 0f);
                }
            }
            assertTrue(sampledResult.logprobs()[i] <= top.logprobs()[0]);
        }
    }

    @Test
    void penaltiesChangeTheAnswerAndKeepItReproducible() {
        SamplingParams plain = new SamplingParams(24, 0f, 0, 1f, 0f, 0, List.of(), List.of(), true, false);
        SamplingParams penalised = new SamplingParams(24, 0f, 0, 1f, 0f, 0, List.of(), List.of(), true, false, 0,
                new Penalties(1.5f, 1.0f, 1.3f), 1);
        int[] greedy = choices(plain).get(0).tokenIds();
        int[] withPenalties = choices(penalised).get(0).tokenIds();
        assertFalse(java.util.Arrays.equals(greedy, withPenalties), "penalties changed nothing");
        assertArrayEquals(withPenalties, choices(penalised).get(0).tokenIds());
        // Generated tokens repeat less: the most frequent generated token occurs less often.
        assertTrue(maxCount(withPenalties) <= maxCount(greedy));
        assertNotEquals(0, withPenalties.length);
    }

    private static int maxCount(int[] tokens) {
        java.util.Map<Integer, Integer> counts = new java.util.HashMap<>();
        int max = 0;
        for (int t : tokens) {
            max = Math.max(max, counts.merge(t, 1, Integer::sum));
        }
        return max;
    }
}
