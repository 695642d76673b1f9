package dev.prefixflow.generate;

/**
 * A finished completion: the prompt's and the generated token ids, the generated text and why it
 * stopped. {@code logprobs} holds each generated token's log-probability, or is null when none were
 * asked for.
 */
public record Completion(int[] promptTokenIds, int[] tokenIds, String text, FinishReason finishReason,
                         float[] logprobs) {
}
