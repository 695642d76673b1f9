package dev.prefixflow.cpu;

import dev.prefixflow.gguf.GgmlType;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;

/** Q8_0 weights as int8 quants, so a block's quants are a plain vector load. */
final class Q8_0Weight extends RowGroupWeight implements TwoStreams {

    /** Columns of one group before the other's: 256 quant bytes of each of its four rows. */
    private static final int CHUNK = 256;

    Q8_0Weight(String name, int rows, int cols, RowGroups.Unpacked unpacked) {
        super(name, GgmlType.Q8_0, rows, cols, unpacked);
    }

    private FloatVector weights(int p, FloatVector d) {
        return ((FloatVector) ByteVector.fromArray(Vectors.B, quants, p).castShape(Vectors.F, 0)).mul(d);
    }

    @Override
    void decodeRow(int row, float[] dst, int off) {
        int blocks = cols() / 32;
        int s = RowGroups.blockIndex(row, 0, blocks);
        for (int i = 0; i < cols(); i += 32, s += RowGroups.ROWS) {
            FloatVector d = scale(s);
            for (int j = 0; j < 32; j += L) {
                weights(32 * s + j, d).intoArray(dst, off + i + j);
            }
        }
    }

    @Override
    public void dot4(int group, float[] x, int xOff, float[] res, float[] lanes) {
        dotGroups(group, group, 1, x, xOff, res, lanes);
    }

    @Override
    public void dot4x2(int first, int second, float[] x, int xOff, float[] res, float[] lanes) {
        dotGroups(first, second, 2, x, xOff, res, lanes);
    }

    /**
     * dot4 of group {@code first} and, if {@code groups} is 2, of group {@code second}, {@value #CHUNK}
     * columns of one, then of the other: res[4 g + k] for the g-th group's row k, whose accumulator
     * passes through lanes at (4 g + k) L between chunks (stored and reloaded exactly, so the sum is
     * the one chain of multiply-adds that {@link FloatTiles} computes).
     */
    private void dotGroups(int first, int second, int groups, float[] x, int xOff, float[] res, float[] lanes) {
        int cols = cols();
        java.util.Arrays.fill(lanes, 0, groups * RowGroups.ROWS * L, 0f);
        int s0 = RowGroups.blockIndex(first * RowGroups.ROWS, 0, cols / 32);
        int apart = RowGroups.blockIndex(second * RowGroups.ROWS, 0, cols / 32) - s0;
        for (int i = 0; i < cols; i += CHUNK) {
            int end = Math.min(cols, i + CHUNK);
            for (int g = 0; g < groups; g++) {
                chunk(s0 + g * apart, x, xOff, i, end, lanes, g * RowGroups.ROWS * L);
            }
        }
        for (int k = 0; k < groups * RowGroups.ROWS; k++) {
            res[k] = Vectors.sumLanes(lanes, k * L);
        }
    }

    /** Columns [i, end) of the group whose first block is {@code first}, into the accumulators at lanes[at ...]. */
    private void chunk(int first, float[] x, int xOff, int i, int end, float[] lanes, int at) {
        FloatVector a0 = FloatVector.fromArray(Vectors.F, lanes, at);
        FloatVector a1 = FloatVector.fromArray(Vectors.F, lanes, at + L);
        FloatVector a2 = FloatVector.fromArray(Vectors.F, lanes, at + 2 * L);
        FloatVector a3 = FloatVector.fromArray(Vectors.F, lanes, at + 3 * L);
        // Two vectors of each row a step, written out (2 * L divides the block of 32): with an inner
        // loop over the block this kernel ran at little more than half the speed.
        for (; i < end; i += 2 * L) {
            int s = first + (i >>> 5) * RowGroups.ROWS;
            int q = 32 * s + (i & 31);
            FloatVector d0 = scale(s), d1 = scale(s + 1), d2 = scale(s + 2), d3 = scale(s + 3);
            FloatVector t = FloatVector.fromArray(Vectors.F, x, xOff + i);
            FloatVector u = FloatVector.fromArray(Vectors.F, x, xOff + i + L);
            a0 = weights(q, d0).fma(t, a0);
            a0 = weights(q + L, d0).fma(u, a0);
            a1 = weights(q + 32, d1).fma(t, a1);
            a1 = weights(q + 32 + L, d1).fma(u, a1);
            a2 = weights(q + 64, d2).fma(t, a2);
            a2 = weights(q + 64 + L, d2).fma(u, a2);
            a3 = weights(q + 96, d3).fma(t, a3);
            a3 = weights(q + 96 + L, d3).fma(u, a3);
        }
        a0.intoArray(lanes, at);
        a1.intoArray(lanes, at + L);
        a2.intoArray(lanes, at + 2 * L);
        a3.intoArray(lanes, at + 3 * L);
    }
}
