package dev.prefixflow.cpu;

import dev.prefixflow.gguf.GgmlType;
import jdk.incubator.vector.FloatVector;

/**
 * Q4_0 weights as packed nibbles: 16 bytes a block, element j in the low nibble of byte j, element
 * 16 + j in its high nibble.
 */
final class Q4_0Weight extends RowGroupWeight {

    Q4_0Weight(String name, int rows, int cols, RowGroups.Unpacked unpacked) {
        super(name, GgmlType.Q4_0, rows, cols, unpacked);
    }

    /** Elements j.. (high = false) or 16 + j.. (high = true) of the block whose quants start at p. */
    private FloatVector weights(int p, boolean high, FloatVector d) {
        // C2 merges the identical widened loads of the low and high halves.
        return ((FloatVector) Vectors.nibbles(quants, p, high).sub(8).castShape(Vectors.F, 0)).mul(d);
    }

    @Override
    void decodeRow(int row, float[] dst, int off) {
        int s = RowGroups.blockIndex(row, 0, cols() / 32);
        for (int i = 0; i < cols(); i += 32, s += RowGroups.ROWS) {
            FloatVector d = scale(s);
            for (int j = 0; j < 16; j += L) {
                weights(16 * s + j, false, d).intoArray(dst, off + i + j);
            }
            for (int j = 0; j < 16; j += L) {
                weights(16 * s + j, true, d).intoArray(dst, off + i + 16 + j);
            }
        }
    }

    @Override
    public void dot4(int group, float[] x, int xOff, float[] res, float[] lanes) {
        int cols = cols();
        int s = RowGroups.blockIndex(group * RowGroups.ROWS, 0, cols / 32);
        FloatVector a0 = FloatVector.zero(Vectors.F), a1 = a0, a2 = a0, a3 = a0;
        for (int i = 0; i < cols; i += 32, s += RowGroups.ROWS) {
            int q = 16 * s;
            FloatVector d0 = scale(s), d1 = scale(s + 1), d2 = scale(s + 2), d3 = scale(s + 3);
            for (int h = 0; h < 2; h++) {
                boolean high = h == 1;
                for (int j = 0; j < 16; j += L) {
                    FloatVector t = FloatVector.fromArray(Vectors.F, x, xOff + i + 16 * h + j);
                    a0 = weights(q + j, high, d0).fma(t, a0);
                    a1 = weights(q + 16 + j, high, d1).fma(t, a1);
                    a2 = weights(q + 32 + j, high, d2).fma(t, a2);
                    a3 = weights(q + 48 + j, high, d3).fma(t, a3);
                }
            }
        }
        a0.intoArray(lanes, 0);
        a1.intoArray(lanes, L);
        a2.intoArray(lanes, 2 * L);
        a3.intoArray(lanes, 3 * L);
        Vectors.sums(lanes, 0, 4, res, 0);
    }
}
