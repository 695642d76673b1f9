package dev.prefixflow.model;

import dev.prefixflow.platform.Tensor;
import dev.prefixflow.platform.Weight;

/**
 * One transformer block's weights, on the platform: norms and biases as one-row tensors. Biases,
 * the per-head q/k norms (Qwen3, Gemma 3) and the post-attention and post-feed-forward norms (Gemma)
 * are null where the architecture has none.
 */
public record LayerWeights(Tensor attnNorm, Weight wq, Weight wk, Weight wv, Weight wo,
                           Tensor qBias, Tensor kBias, Tensor vBias, Tensor qNorm, Tensor kNorm, Tensor postAttnNorm,
                           Tensor ffnNorm, Weight gate, Weight up, Weight down, Tensor postFfnNorm) {
}
