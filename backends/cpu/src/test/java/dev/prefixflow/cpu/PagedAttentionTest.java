package dev.prefixflow.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.prefixflow.platform.KvPool;
import dev.prefixflow.platform.KvPoolSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PagedAttentionTest {

    private static final CpuAttentionBackend BACKEND = new CpuAttentionBackend(new CpuThreadPool(3));
    private static final int LAYER = 1;

    /** A sequence's q/k/v rows and a shuffled block table to store it under. */
    private record Sequence(int heads, int kvHeads, int headDim, int length, float[] q, float[] k, float[] v) {
        static Sequence random(int heads, int kvHeads, int headDim, int length, long seed) {
            return new Sequence(heads, kvHeads, headDim, length,
                    RandomTensors.floats(length * heads * headDim, seed),
                    RandomTensors.floats(length * kvHeads * headDim, seed + 1),
                    RandomTensors.floats(length * kvHeads * headDim, seed + 2));
        }
    }

    @ParameterizedTest
    @CsvSource({"4, 4, 16, 37, 8", "8, 2, 20, 37, 16", "6, 1, 64, 50, 4", "2, 2, 5, 9, 3", "16, 2, 128, 21, 16",
        "10, 2, 72, 19, 8"})
    void matchesNaiveContiguousAttention(int heads, int kvHeads, int headDim, int length, int blockSize) {
        Sequence s = Sequence.random(heads, kvHeads, headDim, length, 11);
        float[] got = run(s, blockSize, new int[] {length});
        float scale = (float) (1 / Math.sqrt(headDim));
        double[] ref = naive(s, scale);
        for (int i = 0; i < got.length; i++) {
            assertEquals(ref[i], got[i], 1e-5, "value " + i);
        }
    }

    @ParameterizedTest
    @CsvSource({"8, 2, 20, 37, 16", "4, 4, 16, 37, 8", "6, 3, 64, 50, 4", "10, 2, 72, 41, 8"})
    void chunkedPrefillEqualsWholeBitForBit(int heads, int kvHeads, int headDim, int length, int blockSize) {
        Sequence s = Sequence.random(heads, kvHeads, headDim, length, 23);
        float[] whole = run(s, blockSize, new int[] {length});
        int[] ones = new int[length];
        Arrays.fill(ones, 1);
        assertArrayEquals(whole, run(s, blockSize, ones));
        assertArrayEquals(whole, run(s, blockSize, new int[] {5, 1, 20, length - 26}));
    }

    /** Writes and attends the sequence in chunks of the given sizes; returns all output rows. */
    private static float[] run(Sequence s, int blockSize, int[] chunks) {
        int blocks = (s.length + blockSize - 1) / blockSize;
        KvPool pool = BACKEND.allocate(new KvPoolSpec(2, s.kvHeads, s.headDim, blocks + 3, blockSize));
        List<Integer> free = new ArrayList<>();
        for (int b = 0; b < blocks + 3; b++) {
            free.add(b);
        }
        Collections.shuffle(free, new Random(blockSize + chunks.length));
        int[] table = new int[blocks];
        for (int b = 0; b < blocks; b++) {
            table[b] = free.get(b);
        }
        int qDim = s.heads * s.headDim;
        float[] out = new float[s.length * qDim];
        float scale = (float) (1 / Math.sqrt(s.headDim));
        int pos = 0;
        for (int n : chunks) {
            int[] slots = new int[n];
            for (int i = 0; i < n; i++) {
                int p = pos + i;
                slots[i] = table[p / blockSize] * blockSize + p % blockSize;
            }
            OneSequence.write(pool, LAYER, s.k, s.v, pos, slots, table, pos);
            OneSequence.attend(pool, LAYER, s.q, out, pos, n, s.heads, pos, table, scale);
            pos += n;
        }
        return out;
    }

    private static double[] naive(Sequence s, float scale) {
        int hd = s.headDim;
        int kvDim = s.kvHeads * hd;
        double[] out = new double[s.length * s.heads * hd];
        for (int i = 0; i < s.length; i++) {
            for (int h = 0; h < s.heads; h++) {
                int kvh = h / (s.heads / s.kvHeads);
                int qo = (i * s.heads + h) * hd;
                double[] w = new double[i + 1];
                double max = Double.NEGATIVE_INFINITY;
                for (int p = 0; p <= i; p++) {
                    double dot = 0;
                    for (int d = 0; d < hd; d++) {
                        dot += (double) s.q[qo + d] * s.k[p * kvDim + kvh * hd + d];
                    }
                    w[p] = dot * scale;
                    max = Math.max(max, w[p]);
                }
                double sum = 0;
                for (int p = 0; p <= i; p++) {
                    w[p] = Math.exp(w[p] - max);
                    sum += w[p];
                }
                for (int p = 0; p <= i; p++) {
                    for (int d = 0; d < hd; d++) {
                        out[qo + d] += w[p] / sum * s.v[p * kvDim + kvh * hd + d];
                    }
                }
            }
        }
        return out;
    }
}
