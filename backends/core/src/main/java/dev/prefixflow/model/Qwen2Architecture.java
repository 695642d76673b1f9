package dev.prefixflow.model;

/**
 * Qwen2: NEOX RoPE (dimension i rotates with i + head_dim/2) and F32 biases on the q, k and v
 * projections. Its files carry no {@code rope.dimension_count}, so RoPE covers the whole head.
 */
public final class Qwen2Architecture extends LlamaFamilyArchitecture {

    public Qwen2Architecture() {
        super("qwen2", true, true, false, false);
    }
}
