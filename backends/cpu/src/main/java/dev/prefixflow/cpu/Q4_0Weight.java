package dev.prefixflow.cpu;

import dev.prefixflow.gguf.GgmlType;
import jdk.incubator.vector.FloatVector;

/**
 * Q4_0 weights repacked into one array of packed nibbles (16 bytes a block: element j in the low
 * nibble of byte j, element 16 + j in its high nibble) and one of float block scales.
 */
final class Q4_0Weight extends CpuWeight implements RowDot {

    private final byte[] quants;
    private final float[] scales;

    Q4_0Weight(String name, int rows, int cols, byte[] quants, float[] scales) {
        super(name, GgmlType.Q4_0, rows, cols);
        this.quants = quants;
        this.scales = scales;
    }

    /** Elements j.. (high = false) or 16 + j.. (high = true) of the block whose quants start at p. */
    private FloatVector weights(int p, boolean high, FloatVector d) {
        // C2 merges the identical widened loads of the low and high halves.
        return ((FloatVector) Vectors.nibbles(quants, p, high).sub(8).castShape(Vectors.F, 0)).mul(d);
    }

    // A vector scale, broadcast once per block: see Q8_0Weight.
    private FloatVector scale(int s) {
        return FloatVector.broadcast(Vectors.F, scales[s]);
    }

    @Override
    void decodeRow(int row, float[] dst, int off) {
        int cols = cols();
        int q = row * (cols / 2);
        int s = row * (cols / 32);
        for (int i = 0; i < cols; i += 32, q += 16) {
            FloatVector d = scale(s++);
            for (int j = 0; j < 16; j += L) {
                weights(q + j, false, d).intoArray(dst, off + i + j);
            }
            for (int j = 0; j < 16; j += L) {
                weights(q + j, true, d).intoArray(dst, off + i + 16 + j);
            }
        }
    }

    @Override
    public void dot4(int r0, int r1, int r2, int r3, float[] x, int xOff, float[] res, float[] lanes) {
        int cols = cols();
        int blocks = cols / 32;
        int q0 = r0 * (cols / 2), q1 = r1 * (cols / 2), q2 = r2 * (cols / 2), q3 = r3 * (cols / 2);
        int s0 = r0 * blocks, s1 = r1 * blocks, s2 = r2 * blocks, s3 = r3 * blocks;
        FloatVector a0 = FloatVector.zero(Vectors.F), a1 = a0, a2 = a0, a3 = a0;
        for (int i = 0, b = 0; i < cols; i += 32, b++) {
            FloatVector d0 = scale(s0 + b), d1 = scale(s1 + b), d2 = scale(s2 + b), d3 = scale(s3 + b);
            int p = b * 16;
            for (int h = 0; h < 2; h++) {
                boolean high = h == 1;
                for (int j = 0; j < 16; j += L) {
                    FloatVector t = FloatVector.fromArray(Vectors.F, x, xOff + i + 16 * h + j);
                    a0 = weights(q0 + p + j, high, d0).fma(t, a0);
                    a1 = weights(q1 + p + j, high, d1).fma(t, a1);
                    a2 = weights(q2 + p + j, high, d2).fma(t, a2);
                    a3 = weights(q3 + p + j, high, d3).fma(t, a3);
                }
            }
        }
        res[0] = Vectors.sum(a0, lanes);
        res[1] = Vectors.sum(a1, lanes);
        res[2] = Vectors.sum(a2, lanes);
        res[3] = Vectors.sum(a3, lanes);
    }

    @Override
    long bytes() {
        return quants.length + (long) scales.length * Float.BYTES;
    }
}
