package dev.prefixflow.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** Element-by-element kernels; each element's result is independent of where it falls in a vector. */
final class Elementwise {

    private static final VectorSpecies<Float> F = Vectors.F;
    private static final int L = Vectors.L;
    private static final float SQRT_2_OVER_PI = 0.79788456080286535587989211986876f;
    private static final float GELU_COEF_A = 0.044715f;

    private Elementwise() {
    }

    /**
     * gate[i] = silu(gate[i]) * up[i] for i in [from, to), silu(g) = g / (1 + exp(-g)), with {@link
     * Exp}: its vector and scalar forms give the same bits, so an element's result does not depend on
     * whether the range puts it in a vector or in the tail.
     */
    static void swiglu(float[] gate, float[] up, int from, int to) {
        int end = to - (to - from) % L;
        for (int i = from; i < end; i += L) {
            FloatVector g = FloatVector.fromArray(F, gate, i);
            g.div(Exp.exp(g.neg()).add(1.0f)).mul(FloatVector.fromArray(F, up, i)).intoArray(gate, i);
        }
        for (int i = end; i < to; i++) {
            float g = gate[i];
            gate[i] = g / (Exp.exp(-g) + 1.0f) * up[i];
        }
    }

    /**
     * gate[i] = gelu(gate[i]) * up[i] for i in [from, to) with the tanh GELU, as ggml computes it in
     * float32: 0.5 g (1 + tanh(sqrt(2/pi) g (1 + 0.044715 g^2))). Scalar: the Vector API's TANH need not
     * round like Math.tanh, and an element's lane or tail position changes with the range.
     */
    static void geglu(float[] gate, float[] up, int from, int to) {
        for (int i = from; i < to; i++) {
            float g = gate[i];
            float t = (float) Math.tanh(SQRT_2_OVER_PI * g * (1.0f + GELU_COEF_A * g * g));
            gate[i] = 0.5f * g * (1.0f + t) * up[i];
        }
    }

    /** x[i] *= factor for the first {@code size} values. */
    static void scale(float[] x, int size, float factor) {
        for (int i = 0; i < size; i++) {
            x[i] *= factor;
        }
    }

    /** x[i] = cap * tanh(x[i] / cap) for i in from .. from + size (divided as a product with 1/cap, as ggml). */
    static void softcap(float[] x, int from, int size, float cap) {
        float inverse = 1.0f / cap;
        for (int i = from; i < from + size; i++) {
            x[i] = (float) Math.tanh(x[i] * inverse) * cap;
        }
    }

    static void add(float[] acc, float[] x, int size) {
        int end = size - size % L;
        for (int i = 0; i < end; i += L) {
            FloatVector.fromArray(F, acc, i).add(FloatVector.fromArray(F, x, i)).intoArray(acc, i);
        }
        for (int i = end; i < size; i++) {
            acc[i] += x[i];
        }
    }
}
