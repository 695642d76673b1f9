package dev.prefixflow.lora;

import dev.prefixflow.platform.Weight;

/**
 * One projection's low-rank update, {@code delta = scale * B (A x)}.
 *
 * @param a r rows of n_in weights (GGUF {@code lora_a}, dims [n_in, r])
 * @param b n_out rows of r weights (GGUF {@code lora_b}, dims [r, n_out])
 * @param scale alpha / r (llama.cpp's rule)
 */
public record LoraPair(Weight a, Weight b, float scale) {

    public int rank() {
        return a.rows();
    }
}
