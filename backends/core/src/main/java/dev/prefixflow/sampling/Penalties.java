package dev.prefixflow.sampling;

import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;

/**
 * Penalties on tokens a sequence already holds, applied to the logits before sampling: OpenAI's
 * presence and frequency penalties (over the generated tokens: minus {@code presence} once, minus
 * {@code frequency} per occurrence) and vLLM's repetition penalty (over prompt and generated tokens:
 * positive logits divided by it, negative ones multiplied). They read only the sequence's own tokens,
 * so results stay independent of batching.
 */
public record Penalties(float presence, float frequency, float repetition) implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final Penalties NONE = new Penalties(0f, 0f, 1f);

    public Penalties {
        if (!(presence >= -2f && presence <= 2f)) {
            throw new IllegalArgumentException("presence_penalty must be in [-2, 2], got " + presence);
        }
        if (!(frequency >= -2f && frequency <= 2f)) {
            throw new IllegalArgumentException("frequency_penalty must be in [-2, 2], got " + frequency);
        }
        if (!(repetition > 0f) || Float.isInfinite(repetition)) {
            throw new IllegalArgumentException("repetition_penalty must be a finite number > 0, got " + repetition);
        }
    }

    public boolean isNone() {
        return presence == 0f && frequency == 0f && repetition == 1f;
    }

    /**
     * The penalised copy of {@code logits}.
     *
     * @param tokens the sequence: the prompt at {@code [0, promptLength)}, then the generated tokens up
     *     to {@code length}
     */
    public float[] apply(float[] logits, int[] tokens, int promptLength, int length) {
        float[] out = logits.clone();
        if (repetition != 1f) {
            boolean[] seen = new boolean[out.length];
            for (int i = 0; i < length; i++) {
                int t = tokens[i];
                if (!seen[t]) {
                    seen[t] = true;
                    out[t] = out[t] > 0 ? out[t] / repetition : out[t] * repetition;
                }
            }
        }
        if (presence != 0f || frequency != 0f) {
            Map<Integer, Integer> counts = new HashMap<>();
            for (int i = promptLength; i < length; i++) {
                counts.merge(tokens[i], 1, Integer::sum);
            }
            counts.forEach((t, n) -> out[t] -= presence + frequency * n);
        }
        return out;
    }
}
