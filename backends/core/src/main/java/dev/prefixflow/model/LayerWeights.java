package dev.prefixflow.model;

import dev.prefixflow.platform.Tensor;
import dev.prefixflow.platform.Weight;

/**
 * One transformer block's weights, on the platform: norms and biases as one-row tensors. Biases
 * are null where the architecture has none.
 */
public record LayerWeights(Tensor attnNorm, Weight wq, Weight wk, Weight wv, Weight wo,
                           Tensor qBias, Tensor kBias, Tensor vBias,
                           Tensor ffnNorm, Weight gate, Weight up, Weight down) {
}
