package dev.prefixflow.engine;

import dev.prefixflow.generate.FinishReason;
import dev.prefixflow.sampling.TopLogprobs;
import java.io.Serializable;
import java.util.List;

/**
 * What the engine answers for one request: the generated tokens and text, why it stopped, token
 * counts and timings; or, for a request that cannot run, an error (then {@code finishReason} is
 * null and nothing was generated).
 *
 * @param logprobs each generated token's log-probability, or null when not asked for
 * @param topLogprobs each generated token's most likely alternatives, or null when not asked for
 */
public record RequestResult(String id, int[] promptTokenIds, int[] tokenIds, String text, FinishReason finishReason,
                            Usage usage, Timings timings, Error error, float[] logprobs, List<TopLogprobs> topLogprobs)
        implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Without top logprobs. */
    public RequestResult(String id, int[] promptTokenIds, int[] tokenIds, String text, FinishReason finishReason,
                         Usage usage, Timings timings, Error error, float[] logprobs) {
        this(id, promptTokenIds, tokenIds, text, finishReason, usage, timings, error, logprobs, null);
    }

    /**
     * @param cachedTokens prompt tokens served from the prefix cache at the request's first
     *     admission; a re-admission after preemption recomputes or re-hits blocks, which the
     *     engine's computed-token counter shows, but does not change this figure. It counts both
     *     cache levels: the KV pool's hits and blocks swapped in from the evicted-block tier, as
     *     both spare the prefill (OpenAI's cached_tokens means the same)
     * @param tierCachedTokens of {@code cachedTokens}, those swapped in from the evicted-block tier
     */
    public record Usage(int promptTokens, int cachedTokens, int tierCachedTokens, int completionTokens)
            implements Serializable {
        public int totalTokens() {
            return promptTokens + completionTokens;
        }
    }

    /** Milliseconds from arrival to first admission, to the first generated token, and to the end. */
    public record Timings(double queuedMs, double ttftMs, double e2eMs) implements Serializable {
    }

    /** Why a request failed; {@code type} is a short machine-readable kind, e.g. invalid_request. */
    public record Error(String message, String type) implements Serializable {
    }

    /** This result under another request id. */
    public RequestResult withId(String newId) {
        return new RequestResult(newId, promptTokenIds, tokenIds, text, finishReason, usage, timings, error, logprobs,
                topLogprobs);
    }

    public boolean isError() {
        return error != null;
    }

    static RequestResult failed(String id, int[] promptTokenIds, String message, String type) {
        return new RequestResult(id, promptTokenIds, new int[0], "", null, new Usage(promptTokenIds.length, 0, 0, 0),
                new Timings(0, 0, 0), new Error(message, type), null);
    }
}
