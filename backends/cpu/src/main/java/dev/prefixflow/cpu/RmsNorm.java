package dev.prefixflow.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** RMS normalisation as ggml computes it: float sum of squares, then (x * scale) * weight. */
final class RmsNorm {

    private static final VectorSpecies<Float> F = Vectors.F;
    private static final int L = Vectors.L;

    private RmsNorm() {
    }

    static void apply(float[] x, float[] weight, float[] out, int n, int size, float eps) {
        float[] lanes = new float[L];
        int end = size - size % L;
        for (int t = 0; t < n; t++) {
            int o = t * size;
            FloatVector acc = FloatVector.zero(F);
            for (int i = 0; i < end; i += L) {
                FloatVector v = FloatVector.fromArray(F, x, o + i);
                acc = v.fma(v, acc);
            }
            float sum = FloatTiles.finish(acc, x, o, x, o, end, size, lanes);
            float scale = 1.0f / (float) Math.sqrt(sum / size + eps);
            for (int i = 0; i < end; i += L) {
                FloatVector.fromArray(F, x, o + i).mul(scale).mul(FloatVector.fromArray(F, weight, i))
                        .intoArray(out, o + i);
            }
            for (int i = end; i < size; i++) {
                out[o + i] = x[o + i] * scale * weight[i];
            }
        }
    }
}
