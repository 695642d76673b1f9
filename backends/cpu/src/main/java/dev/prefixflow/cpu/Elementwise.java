package dev.prefixflow.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** Element-by-element kernels; each element's result is independent of where it falls in a vector. */
final class Elementwise {

    private static final VectorSpecies<Float> F = Vectors.F;
    private static final int L = Vectors.L;

    private Elementwise() {
    }

    /**
     * gate[i] = silu(gate[i]) * up[i], silu(g) = g / (1 + exp(-g)). Scalar: the Vector API's exp
     * need not round like Math.exp, and an element's lane vs tail position changes with the batch.
     */
    static void swiglu(float[] gate, float[] up, int size) {
        for (int i = 0; i < size; i++) {
            float g = gate[i];
            gate[i] = g / (1.0f + (float) Math.exp(-g)) * up[i];
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
