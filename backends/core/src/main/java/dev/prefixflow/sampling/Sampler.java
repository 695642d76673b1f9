package dev.prefixflow.sampling;

import java.util.Arrays;

/**
 * Picks the next token from logits. Greedy takes the arg max (ties to the lowest id). Otherwise the
 * logits are scaled by the temperature, filtered by top-k, min-p and top-p, and one token is drawn by
 * inverting the cumulative distribution at a point that depends only on the seed and the position.
 */
public final class Sampler {

    /** Four passes of 8 bits over a 32-bit key. */
    private static final int DIGIT_BITS = 8;
    private static final int RADIX = 1 << DIGIT_BITS;

    private Sampler() {
    }

    /**
     * The chosen token and, when asked for, its log-probability and the top alternatives' under the
     * model's own distribution (before temperature and penalties, as vLLM's raw logprobs).
     *
     * @param top null unless top logprobs were asked for
     */
    public record Choice(int token, float logprob, TopLogprobs top) {
    }

    /** Sampling without penalties, which need the sequence's tokens. */
    public static Choice sample(float[] logits, SamplingParams params, int position) {
        if (!params.penalties().isNone()) {
            throw new IllegalArgumentException("penalties need the sequence's tokens");
        }
        return sample(logits, params, new int[0], 0, position);
    }

    /**
     * @param tokens the sequence so far: the prompt at {@code [0, promptLength)}, then generated tokens up
     *     to {@code position}, the position of the token being sampled
     */
    public static Choice sample(float[] logits, SamplingParams params, int[] tokens, int promptLength, int position) {
        float[] scores = params.penalties().isNone() ? logits
                : params.penalties().apply(logits, tokens, promptLength, position);
        int token = params.isGreedy() ? argmax(scores) : draw(scores, params, position);
        if (!params.logprobs()) {
            return new Choice(token, Float.NaN, null);
        }
        double[] norm = normaliser(logits);
        TopLogprobs top = params.topLogprobs() > 0 ? TopLogprobs.of(logits, params.topLogprobs(), norm[0], norm[1])
                : null;
        return new Choice(token, (float) (logits[token] - norm[0] - norm[1]), top);
    }

    public static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    private static int draw(float[] logits, SamplingParams p, int position) {
        int n = logits.length;
        int[] ids = descending(logits);
        int keep = p.topK() > 0 ? Math.min(p.topK(), n) : n;
        double max = logits[ids[0]] / (double) p.temperature();
        double[] probs = new double[keep];
        double sum = 0;
        for (int i = 0; i < keep; i++) {
            probs[i] = Math.exp(logits[ids[i]] / (double) p.temperature() - max);
            sum += probs[i];
        }
        // min-p: relative to the most likely token, whose unnormalised weight is exp(0) = 1.
        if (p.minP() > 0f) {
            int k = 1;
            while (k < keep && probs[k] >= p.minP()) {
                k++;
            }
            for (int i = k; i < keep; i++) {
                sum -= probs[i];
            }
            keep = k;
        }
        if (p.topP() < 1f) {
            double cumulative = 0;
            int k = 0;
            while (k < keep) {
                cumulative += probs[k++];
                if (cumulative >= p.topP() * sum) {
                    break;
                }
            }
            sum = cumulative;
            keep = k;
        }
        double target = uniform(p.seed(), position) * sum;
        double cumulative = 0;
        for (int i = 0; i < keep; i++) {
            cumulative += probs[i];
            if (target < cumulative) {
                return ids[i];
            }
        }
        return ids[keep - 1];
    }

    /**
     * The ids sorted by logit, highest first, ties by id: a fixed order makes the draw reproducible.
     * A stable radix sort on the logits' order-preserving bits (ids enter in ascending order, so ties
     * stay by id): on a 151,936-token vocabulary it took a sampled step's sort from about 10 ms (a
     * comparison sort of packed longs) to about 1 ms, with the same order.
     */
    static int[] descending(float[] logits) {
        int n = logits.length;
        int[] keys = new int[n];
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            // Signed order of flipForDescending as unsigned order, for the digits.
            keys[i] = flipForDescending(logits[i]) ^ Integer.MIN_VALUE;
            ids[i] = i;
        }
        int[] keysOut = new int[n];
        int[] idsOut = new int[n];
        int[] counts = new int[RADIX];
        for (int shift = 0; shift < 32; shift += DIGIT_BITS) {
            Arrays.fill(counts, 0);
            for (int k : keys) {
                counts[k >>> shift & (RADIX - 1)]++;
            }
            for (int d = 0, start = 0; d < RADIX; d++) {
                int c = counts[d];
                counts[d] = start;
                start += c;
            }
            for (int i = 0; i < n; i++) {
                int at = counts[keys[i] >>> shift & (RADIX - 1)]++;
                keysOut[at] = keys[i];
                idsOut[at] = ids[i];
            }
            int[] t = keys;
            keys = keysOut;
            keysOut = t;
            t = ids;
            ids = idsOut;
            idsOut = t;
        }
        return ids;
    }

    /** Maps a logit to an int whose signed order is the reverse of the logits' order. */
    private static int flipForDescending(float logit) {
        int bits = Float.floatToIntBits(logit);
        int ascending = bits >= 0 ? bits : bits ^ 0x7fffffff;
        return ~ascending;
    }

    /** A uniform number in [0, 1) from the seed and position only (SplitMix64 finaliser). */
    static double uniform(long seed, int position) {
        long z = seed * 0x9E3779B97F4A7C15L + position * 0xD1B54A32D192ED03L + 0x2545F4914F6CDD1DL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        return (z >>> 11) * 0x1.0p-53;
    }

    /** The max logit and log(sum(exp(logit - max))): a token's log-softmax is logit - both. */
    private static double[] normaliser(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double sum = 0;
        for (float l : logits) {
            sum += Math.exp(l - max);
        }
        return new double[] {max, Math.log(sum)};
    }
}
