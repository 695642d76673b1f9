package dev.prefixflow.sampling;

import java.io.Serializable;
import java.util.List;

/**
 * How one request picks its tokens and when it stops. Temperature 0 means greedy. {@code seed} makes
 * sampling reproducible: every token's randomness comes from the seed and the token's position
 * alone, so neither batching nor a replay after preemption or failure changes the result.
 *
 * @param maxTokens tokens to generate at most
 * @param topK keep the k most likely tokens (0 or less: all)
 * @param topP keep the smallest set whose probability reaches p (1: all)
 * @param minP drop tokens less likely than minP times the most likely one (0: none)
 * @param stopTokenIds tokens that end the sequence (besides EOS)
 * @param stop strings that end the sequence; the text is cut before them
 * @param ignoreEos keep generating after EOS
 * @param logprobs report the log-probability of each chosen token
 * @param topLogprobs with logprobs, also report this many most likely tokens at each position (0..20)
 * @param penalties presence, frequency and repetition penalties ({@link Penalties#NONE}: none)
 * @param n completions (choices) of the one prompt; choice i samples with {@link #choiceSeed}
 */
public record SamplingParams(int maxTokens, float temperature, int topK, float topP, float minP, long seed,
                             List<Integer> stopTokenIds, List<String> stop, boolean ignoreEos, boolean logprobs,
                             int topLogprobs, Penalties penalties, int n)
        implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final int DEFAULT_MAX_TOKENS = 16;
    /** The most top_logprobs a request may ask for (OpenAI's and vLLM's default limit). */
    public static final int MAX_TOP_LOGPROBS = 20;

    public SamplingParams {
        stopTokenIds = List.copyOf(stopTokenIds);
        stop = List.copyOf(stop);
        String problem = problem(maxTokens, temperature, topK, topP, minP, stop);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        if (topLogprobs < 0 || topLogprobs > MAX_TOP_LOGPROBS) {
            throw new IllegalArgumentException("top_logprobs must be in [0, " + MAX_TOP_LOGPROBS + "], got " + topLogprobs);
        }
        if (topLogprobs > 0 && !logprobs) {
            throw new IllegalArgumentException("top_logprobs needs logprobs");
        }
        if (n < 1) {
            throw new IllegalArgumentException("n must be >= 1, got " + n);
        }
        java.util.Objects.requireNonNull(penalties, "penalties");
    }

    /** One choice, no top logprobs, no penalties. */
    public SamplingParams(int maxTokens, float temperature, int topK, float topP, float minP, long seed,
                          List<Integer> stopTokenIds, List<String> stop, boolean ignoreEos, boolean logprobs) {
        this(maxTokens, temperature, topK, topP, minP, seed, stopTokenIds, stop, ignoreEos, logprobs, 0,
                Penalties.NONE, 1);
    }

    /**
     * The seed choice {@code index} samples with: the request's own for choice 0 (so n = 1 samples as
     * before), a SplitMix64 mix of seed and index for the others. With the position that the sampler
     * adds, each token's randomness comes from seed, choice index and position alone.
     */
    public long choiceSeed(int index) {
        if (index == 0) {
            return seed;
        }
        long z = seed + index * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Choice {@code index} of these parameters, as one request of its own. */
    public SamplingParams forChoice(int index) {
        return new SamplingParams(maxTokens, temperature, topK, topP, minP, choiceSeed(index), stopTokenIds, stop,
                ignoreEos, logprobs, topLogprobs, penalties, 1);
    }

    public static SamplingParams greedy(int maxTokens) {
        return new SamplingParams(maxTokens, 0f, 0, 1f, 0f, 0L, List.of(), List.of(), false, false);
    }

    public boolean isGreedy() {
        return temperature == 0f;
    }

    public SamplingParams withIgnoreEos(boolean ignore) {
        return new SamplingParams(maxTokens, temperature, topK, topP, minP, seed, stopTokenIds, stop, ignore, logprobs,
                topLogprobs, penalties, n);
    }

    /** Why these values cannot be used, or null when they can. */
    private static String problem(int maxTokens, float temperature, int topK, float topP, float minP,
                                  List<String> stop) {
        if (maxTokens < 0) {
            return "max_tokens must be >= 0, got " + maxTokens;
        }
        if (!(temperature >= 0f) || Float.isInfinite(temperature)) {
            return "temperature must be a finite number >= 0, got " + temperature;
        }
        if (!(topP > 0f && topP <= 1f)) {
            return "top_p must be in (0, 1], got " + topP;
        }
        if (!(minP >= 0f && minP <= 1f)) {
            return "min_p must be in [0, 1], got " + minP;
        }
        if (topK < -1) {
            return "top_k must be -1, 0 (all tokens) or positive, got " + topK;
        }
        for (String s : stop) {
            if (s == null || s.isEmpty()) {
                return "stop strings must be non-empty";
            }
        }
        return null;
    }
}
