package dev.prefixflow.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ElementwiseKernelsTest {

    private static final CpuKernels KERNELS = new CpuKernels(new CpuThreadPool(2));

    @ParameterizedTest
    @ValueSource(ints = {1, 16, 37, 256})
    void rmsNormMatchesDoubleReference(int size) {
        int n = 3;
        float[] x = RandomTensors.floats(n * size, size);
        float[] weight = RandomTensors.floats(size, size + 1);
        float[] out = new float[n * size];
        KERNELS.rmsNorm(x, weight, out, n, size, 1e-5f);
        for (int t = 0; t < n; t++) {
            double ss = 0;
            for (int i = 0; i < size; i++) {
                ss += (double) x[t * size + i] * x[t * size + i];
            }
            double scale = 1 / Math.sqrt(ss / size + 1e-5);
            for (int i = 0; i < size; i++) {
                assertEquals(x[t * size + i] * scale * weight[i], out[t * size + i], 1e-5, "t " + t + " i " + i);
            }
        }
    }

    @Test
    void swigluAndAdd() {
        float[] gate = {0f, 1f, -2f, 10f, -30f};
        float[] up = {3f, 2f, 0.5f, 1f, 4f};
        KERNELS.swiglu(gate, up, 5);
        for (int i = 0; i < 5; i++) {
            double g = new double[] {0, 1, -2, 10, -30}[i];
            assertEquals(g / (1 + Math.exp(-g)) * up[i], gate[i], 1e-6 * Math.max(1, Math.abs(gate[i])));
        }
        float[] acc = RandomTensors.floats(37, 1);
        float[] x = RandomTensors.floats(37, 2);
        float[] expected = new float[37];
        for (int i = 0; i < 37; i++) {
            expected[i] = acc[i] + x[i];
        }
        KERNELS.add(acc, x, 37);
        assertArrayEquals(expected, acc);
    }

    @Test
    void swigluOnThePoolMatchesDoubleAndIgnoresWhereTheRangeStarts() {
        int size = 70001;
        float[] gate = RandomTensors.floats(size, 4);
        for (int i = 0; i < size; i++) {
            gate[i] *= 40;
        }
        float[] up = RandomTensors.floats(size, 5);
        float[] out = gate.clone();
        KERNELS.swiglu(out, up, size);
        for (int i = 0; i < size; i++) {
            double g = gate[i];
            double expected = g / (1 + Math.exp(-g)) * up[i];
            assertEquals(expected, out[i], 1e-6 * Math.max(1e-3, Math.abs(expected)), "element " + i);
        }
        // The same elements in ranges that start elsewhere: a chunk's start may not change a result (the
        // vector form puts the element in another lane or in the tail).
        for (int start : new int[] {1, 3, 17}) {
            float[] shifted = gate.clone();
            Elementwise.swiglu(shifted, up, start, size);
            for (int i = start; i < size; i++) {
                assertEquals(Float.floatToIntBits(out[i]), Float.floatToIntBits(shifted[i]), "element " + i);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void ropeRotatesThePairsOfEachLayout(boolean neox) {
        int heads = 2, headDim = 8, ropeDims = 6, n = 2;
        int half = ropeDims / 2;
        int[] positions = {9, 4, 7};
        float[] cos = new float[10 * half];
        float[] sin = new float[10 * half];
        for (int p = 0; p < 10; p++) {
            for (int i = 0; i < half; i++) {
                double angle = p * Math.pow(10000, -2.0 * i / ropeDims);
                cos[p * half + i] = (float) Math.cos(angle);
                sin[p * half + i] = (float) Math.sin(angle);
            }
        }
        float[] x = RandomTensors.floats(n * heads * headDim, 3);
        float[] rotated = x.clone();
        KERNELS.rope(rotated, n, heads, headDim, ropeDims, positions, 1, cos, sin, neox);
        for (int t = 0; t < n; t++) {
            int pos = positions[1 + t];
            for (int h = 0; h < heads; h++) {
                int base = (t * heads + h) * headDim;
                for (int i = 0; i < half; i++) {
                    int a = base + (neox ? i : 2 * i);
                    int b = neox ? a + half : a + 1;
                    double c = cos[pos * half + i], s = sin[pos * half + i];
                    assertEquals(x[a] * c - x[b] * s, rotated[a], 1e-6);
                    assertEquals(x[a] * s + x[b] * c, rotated[b], 1e-6);
                }
                for (int d = ropeDims; d < headDim; d++) {
                    assertEquals(x[base + d], rotated[base + d], "dims past ropeDims stay");
                }
            }
        }
    }
}
