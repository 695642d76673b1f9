package dev.prefixflow.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class VectorsTest {

    private static final int L = Vectors.L;

    /**
     * Every sum is lane i plus lane i + L / 2, then i plus i + L / 4, and so on, bit for bit, however
     * many accumulators are reduced together: the property that lets a tile and a single-token
     * kernel give a dot product the same bits.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4, 8, 16, 32})
    void everySumIsTheSamePairwiseTree(int n) {
        float[] acc = accumulators(n, n);
        float[] lanes = acc.clone();
        float[] res = new float[n + 3];
        Vectors.sums(lanes, 0, n, res, 3);
        for (int k = 0; k < n; k++) {
            assertEquals(pairwise(acc, k * L), res[3 + k], "accumulator " + k + " of " + n);
        }
    }

    /** The values are spread so widely that adding them in lane order gives other bits. */
    @ParameterizedTest
    @ValueSource(ints = {4, 16})
    void theTreeIsNotTheLaneOrder(int n) {
        float[] acc = accumulators(n, 7);
        float[] res = new float[n];
        Vectors.sums(acc.clone(), 0, n, res, 0);
        int differ = 0;
        for (int k = 0; k < n; k++) {
            float inOrder = 0;
            for (int i = 0; i < L; i++) {
                inOrder += acc[k * L + i];
            }
            differ += inOrder != res[k] ? 1 : 0;
        }
        assertNotEquals(0, differ);
    }

    private static float pairwise(float[] acc, int from) {
        float[] p = new float[L];
        System.arraycopy(acc, from, p, 0, L);
        for (int h = L / 2; h >= 1; h /= 2) {
            for (int i = 0; i < h; i++) {
                p[i] += p[i + h];
            }
        }
        return p[0];
    }

    private static float[] accumulators(int n, long seed) {
        Random random = new Random(seed);
        float[] acc = new float[n * L];
        for (int i = 0; i < acc.length; i++) {
            acc[i] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(9) - 4));
        }
        return acc;
    }
}
