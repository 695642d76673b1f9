package dev.prefixflow.sampling;

import java.io.Serializable;
/**
 * The most likely tokens at one position and their log-probabilities under the model's distribution,
 * most likely first (ties by the lower id), as OpenAI's top_logprobs reports them.
 */
public record TopLogprobs(int[] ids, float[] logprobs) implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The {@code k} most likely tokens of {@code logits}. */
    static TopLogprobs of(float[] logits, int k, double max, double logSum) {
        int n = Math.min(k, logits.length);
        int[] ids = new int[n];
        float[] values = new float[n];
        int size = 0;
        // A sorted insertion into k slots: k <= 20, so this beats sorting the vocabulary.
        for (int t = 0; t < logits.length; t++) {
            float v = logits[t];
            if (size == n && !(v > values[n - 1])) {
                continue;
            }
            int at = size < n ? size++ : n - 1;
            while (at > 0 && v > values[at - 1]) {
                values[at] = values[at - 1];
                ids[at] = ids[at - 1];
                at--;
            }
            values[at] = v;
            ids[at] = t;
        }
        for (int i = 0; i < n; i++) {
            values[i] = (float) (values[i] - max - logSum);
        }
        return new TopLogprobs(ids, values);
    }
}
