package dev.prefixflow.model;

/**
 * Qwen3: Qwen2 without the q/k/v biases, with a per-head RMSNorm of q and k before RoPE; the head size
 * ({@code attention.key_length}) need not be dim / heads.
 */
public final class Qwen3Architecture extends LlamaFamilyArchitecture {

    public Qwen3Architecture() {
        super("qwen3", true, false, true, false);
    }
}
