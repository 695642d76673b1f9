package dev.prefixflow.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SamplerTest {

    static SamplingParams params(float temperature, int topK, float topP, float minP, long seed) {
        return new SamplingParams(16, temperature, topK, topP, minP, seed, List.of(), List.of(), false, false);
    }

    static float[] randomLogits(int n, long seed) {
        Random r = new Random(seed);
        float[] l = new float[n];
        for (int i = 0; i < n; i++) {
            l[i] = (float) r.nextGaussian() * 3;
        }
        return l;
    }

    @Test
    void idsAreOrderedByLogitHighestFirstWithTiesByIdAsAComparisonSortOrdersThem() {
        Random r = new Random(5);
        for (int n : new int[] {1, 7, 300, 151_936}) {
            float[] l = new float[n];
            for (int i = 0; i < n; i++) {
                // Coarse values for many ties, and the special ones a logit row can hold.
                l[i] = switch (r.nextInt(12)) {
                    case 0 -> Float.NEGATIVE_INFINITY;
                    case 1 -> Float.POSITIVE_INFINITY;
                    case 2 -> -0f;
                    case 3 -> 0f;
                    case 4 -> Float.NaN;
                    case 5, 6 -> Math.round(r.nextGaussian() * 4) / 2f;
                    default -> (float) r.nextGaussian() * 10;
                };
            }
            Integer[] expected = new Integer[n];
            for (int i = 0; i < n; i++) {
                expected[i] = i;
            }
            java.util.Arrays.sort(expected, (a, b) -> Float.compare(l[a], l[b]) != 0 ? Float.compare(l[b], l[a])
                    : Integer.compare(a, b));
            int[] actual = Sampler.descending(l);
            for (int i = 0; i < n; i++) {
                assertEquals((int) expected[i], actual[i], "rank " + i + " of " + n);
            }
        }
    }

    @Test
    void greedyTakesTheArgMaxAndTiesGoToTheLowestId() {
        assertEquals(2, Sampler.sample(new float[] {1, 3, 5, 5, -1}, SamplingParams.greedy(1), 0).token());
    }

    @Test
    void theSameSeedAndPositionGiveTheSameToken() {
        float[] logits = randomLogits(2048, 1);
        SamplingParams p = params(1f, 0, 1f, 0f, 42);
        for (int pos = 0; pos < 50; pos++) {
            assertEquals(Sampler.sample(logits, p, pos).token(), Sampler.sample(logits.clone(), p, pos).token());
        }
    }

    @Test
    void positionsAndSeedsChangeTheDraw() {
        float[] flat = new float[1000];
        Set<Integer> byPosition = new HashSet<>();
        Set<Integer> bySeed = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            byPosition.add(Sampler.sample(flat, params(1f, 0, 1f, 0f, 7), i).token());
            bySeed.add(Sampler.sample(flat, params(1f, 0, 1f, 0f, i), 3).token());
        }
        assertTrue(byPosition.size() > 10, "draws vary with the position: " + byPosition);
        assertTrue(bySeed.size() > 10, "draws vary with the seed: " + bySeed);
    }

    @Test
    void topKKeepsOnlyTheKBest() {
        float[] logits = randomLogits(500, 3);
        Set<Integer> best3 = new HashSet<>();
        int[] order = java.util.stream.IntStream.range(0, 500).boxed()
                .sorted((a, b) -> Float.compare(logits[b], logits[a])).mapToInt(i -> i).toArray();
        for (int i = 0; i < 3; i++) {
            best3.add(order[i]);
        }
        Set<Integer> seen = new HashSet<>();
        for (int pos = 0; pos < 300; pos++) {
            seen.add(Sampler.sample(logits, params(5f, 3, 1f, 0f, 11), pos).token());
        }
        assertEquals(best3, seen);
    }

    @Test
    void topPKeepsTheSmallestSetReachingP() {
        // probabilities 0.5, 0.3, 0.2 (logits are their logs): top_p 0.75 keeps the first two
        float[] logits = {(float) Math.log(0.5), (float) Math.log(0.3), (float) Math.log(0.2)};
        Set<Integer> seen = new HashSet<>();
        for (int pos = 0; pos < 300; pos++) {
            seen.add(Sampler.sample(logits, params(1f, 0, 0.75f, 0f, 5), pos).token());
        }
        assertEquals(Set.of(0, 1), seen);
    }

    @Test
    void minPDropsUnlikelyTokens() {
        // relative probabilities 1, 0.5, 0.05: min_p 0.1 drops the last
        float[] logits = {0f, (float) Math.log(0.5), (float) Math.log(0.05)};
        Set<Integer> seen = new HashSet<>();
        for (int pos = 0; pos < 300; pos++) {
            seen.add(Sampler.sample(logits, params(1f, 0, 1f, 0.1f, 9), pos).token());
        }
        assertEquals(Set.of(0, 1), seen);
    }

    @Test
    void drawsFollowTheDistribution() {
        float[] logits = {(float) Math.log(0.7), (float) Math.log(0.2), (float) Math.log(0.1)};
        int[] counts = new int[3];
        for (int pos = 0; pos < 20000; pos++) {
            counts[Sampler.sample(logits, params(1f, 0, 1f, 0f, 13), pos).token()]++;
        }
        assertEquals(0.7, counts[0] / 20000.0, 0.02);
        assertEquals(0.2, counts[1] / 20000.0, 0.02);
        assertEquals(0.1, counts[2] / 20000.0, 0.02);
    }

    @Test
    void logprobIsTheLogSoftmaxOfTheChosenToken() {
        float[] logits = {2f, 1f, 0f};
        SamplingParams p = new SamplingParams(1, 0f, 0, 1f, 0f, 0, List.of(), List.of(), false, true);
        double expected = 2 - Math.log(Math.exp(2) + Math.exp(1) + 1);
        assertEquals(expected, Sampler.sample(logits, p, 0).logprob(), 1e-6);
    }

    @Test
    void impossibleParametersAreRejectedWithTheirName() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SamplingParams.greedy(-1)).getMessage()
                .contains("max_tokens"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> params(-1f, 0, 1f, 0f, 0)).getMessage()
                .contains("temperature"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> params(1f, 0, 0f, 0f, 0)).getMessage()
                .contains("top_p"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> params(1f, 0, 1f, 2f, 0)).getMessage()
                .contains("min_p"));
    }
}
