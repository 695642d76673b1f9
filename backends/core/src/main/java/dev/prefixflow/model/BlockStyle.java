package dev.prefixflow.model;

import dev.prefixflow.platform.LayerAttention;
import java.util.List;

/**
 * What sets an architecture's forward pass apart from Llama's, all of it read from the file at load:
 * {@link TransformerModel} runs every architecture through one forward pass with these options.
 *
 * @param embeddingScale the factor of the token embeddings (Gemma: sqrt(dim); others 1)
 * @param activation the gated feed-forward's activation
 * @param finalSoftcap 0, or the soft-cap of the output logits (Gemma 2)
 * @param attention each layer's attention: scale, sliding window, score soft-cap
 * @param ropeBases each layer's RoPE base (Gemma 3's local layers use their own)
 */
public record BlockStyle(float embeddingScale, Activation activation, float finalSoftcap,
                         List<LayerAttention> attention, List<Float> ropeBases) {

    /** The gated feed-forward's activation: silu(gate) * up, or gelu(gate) * up with the tanh GELU. */
    public enum Activation { SILU, GELU_TANH }

    public BlockStyle {
        attention = List.copyOf(attention);
        ropeBases = List.copyOf(ropeBases);
        if (attention.size() != ropeBases.size()) {
            throw new IllegalArgumentException(attention.size() + " layers of attention, " + ropeBases.size()
                    + " RoPE bases");
        }
    }

    /** Llama's: no scaling, SiLU, no soft-caps, full attention scaled by 1/sqrt(head size), one RoPE base. */
    public static BlockStyle llama(ModelConfig c) {
        LayerAttention full = LayerAttention.full((float) (1.0 / Math.sqrt(c.headDim())));
        return new BlockStyle(1f, Activation.SILU, 0f, java.util.Collections.nCopies(c.layers(), full),
                java.util.Collections.nCopies(c.layers(), c.ropeBase()));
    }

    /** The largest sliding window of the layers, or 0 when some layer attends to the whole context. */
    public int maxWindow() {
        int max = 0;
        for (LayerAttention a : attention) {
            if (a.window() == 0) {
                return 0;
            }
            max = Math.max(max, a.window());
        }
        return max;
    }

    /** Whether some layer attends through a sliding window. */
    public boolean slidingWindow() {
        return attention.stream().anyMatch(a -> a.window() > 0);
    }
}
