package dev.prefixflow.cpu;

import dev.prefixflow.gguf.GgmlType;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;

/** Q8_0 weights as int8 quants, so a block's quants are a plain vector load. */
final class Q8_0Weight extends RowGroupWeight implements TwoStreams {

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
        int cols = cols();
        int first = RowGroups.blockIndex(group * RowGroups.ROWS, 0, cols / 32);
        FloatVector a0 = FloatVector.zero(Vectors.F), a1 = a0, a2 = a0, a3 = a0;
        // Two vectors of each row a step, written out (2 * L divides the block of 32): with an inner
        // loop over the block this kernel ran at little more than half the speed.
        for (int i = 0; i < cols; i += 2 * L) {
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
        a0.intoArray(lanes, 0);
        a1.intoArray(lanes, L);
        a2.intoArray(lanes, 2 * L);
        a3.intoArray(lanes, 3 * L);
        Vectors.sums(lanes, 0, 4, res, 0);
    }

    @Override
    public void dot4x2(int first, int second, float[] x, int xOff, float[] res, float[] lanes) {
        int cols = cols();
        int blocks = cols / 32;
        int p = RowGroups.blockIndex(first * RowGroups.ROWS, 0, blocks);
        int apart = RowGroups.blockIndex(second * RowGroups.ROWS, 0, blocks) - p;
        FloatVector a0 = FloatVector.zero(Vectors.F), a1 = a0, a2 = a0, a3 = a0;
        FloatVector b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        // Both groups in one loop, a vector of each row a step: eight chains, and two streams of
        // misses under way.
        for (int i = 0; i < cols; i += L) {
            int s = p + (i >>> 5) * RowGroups.ROWS;
            int q = 32 * s + (i & 31);
            int o = q + 32 * apart;
            FloatVector t = FloatVector.fromArray(Vectors.F, x, xOff + i);
            a0 = weights(q, scale(s)).fma(t, a0);
            a1 = weights(q + 32, scale(s + 1)).fma(t, a1);
            a2 = weights(q + 64, scale(s + 2)).fma(t, a2);
            a3 = weights(q + 96, scale(s + 3)).fma(t, a3);
            b0 = weights(o, scale(s + apart)).fma(t, b0);
            b1 = weights(o + 32, scale(s + apart + 1)).fma(t, b1);
            b2 = weights(o + 64, scale(s + apart + 2)).fma(t, b2);
            b3 = weights(o + 96, scale(s + apart + 3)).fma(t, b3);
        }
        a0.intoArray(lanes, 0);
        a1.intoArray(lanes, L);
        a2.intoArray(lanes, 2 * L);
        a3.intoArray(lanes, 3 * L);
        b0.intoArray(lanes, 4 * L);
        b1.intoArray(lanes, 5 * L);
        b2.intoArray(lanes, 6 * L);
        b3.intoArray(lanes, 7 * L);
        Vectors.sums(lanes, 0, 2 * RowGroups.ROWS, res, 0);
    }
}
