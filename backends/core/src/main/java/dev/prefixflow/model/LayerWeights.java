package dev.prefixflow.model;

import dev.prefixflow.platform.Weight;

/** One transformer block's weights. Biases are null where the architecture has none. */
public record LayerWeights(float[] attnNorm, Weight wq, Weight wk, Weight wv, Weight wo,
                           float[] qBias, float[] kBias, float[] vBias,
                           float[] ffnNorm, Weight gate, Weight up, Weight down) {
}
