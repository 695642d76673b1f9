package dev.prefixflow.platform;

/**
 * How one layer's attention scores its keys.
 *
 * @param scale the factor of q.k (1/sqrt(head size) for most models)
 * @param window 0 for full causal attention; otherwise a query at position p sees positions
 *     p - window + 1 .. p only (sliding-window attention, as llama.cpp's standard SWA)
 * @param softcap 0 for none; otherwise each score s becomes softcap * tanh(s / softcap) before the
 *     softmax (Gemma 2)
 */
public record LayerAttention(float scale, int window, float softcap) {

    public LayerAttention {
        if (window < 0 || softcap < 0 || !(scale > 0)) {
            throw new IllegalArgumentException("attention needs a positive scale, a window >= 0 and a soft-cap >= 0: "
                    + this);
        }
    }

    /** Full causal attention with plain scaled scores. */
    public static LayerAttention full(float scale) {
        return new LayerAttention(scale, 0, 0);
    }

    /** The first position a query at {@code position} sees. */
    public int firstVisible(int position) {
        return window == 0 ? 0 : Math.max(0, position - window + 1);
    }
}
