package dev.prefixflow.cpu;

import dev.prefixflow.gguf.GgmlType;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;

/**
 * Q8_0 weights repacked into one array of int8 quants and one of float block scales, so a block's
 * quants are a plain aligned-free vector load and its scale needs no half conversion per use.
 */
final class Q8_0Weight extends CpuWeight implements RowDot {

    private final byte[] quants;
    private final float[] scales;

    Q8_0Weight(String name, int rows, int cols, byte[] quants, float[] scales) {
        super(name, GgmlType.Q8_0, rows, cols);
        this.quants = quants;
        this.scales = scales;
    }

    // The scale comes in as a vector, broadcast once per block: mul(float) broadcasts on every use.
    private FloatVector weights(int p, FloatVector d) {
        return ((FloatVector) ByteVector.fromArray(Vectors.B, quants, p).castShape(Vectors.F, 0)).mul(d);
    }

    private FloatVector scale(int s) {
        return FloatVector.broadcast(Vectors.F, scales[s]);
    }

    @Override
    void decodeRow(int row, float[] dst, int off) {
        int cols = cols();
        int q = row * cols;
        int s = row * (cols / 32);
        for (int i = 0; i < cols; i += 32) {
            FloatVector d = scale(s++);
            for (int j = 0; j < 32; j += L) {
                weights(q + i + j, d).intoArray(dst, off + i + j);
            }
        }
    }

    @Override
    public void dot4(int r0, int r1, int r2, int r3, float[] x, int xOff, float[] res, float[] lanes) {
        int cols = cols();
        int blocks = cols / 32;
        int q0 = r0 * cols, q1 = r1 * cols, q2 = r2 * cols, q3 = r3 * cols;
        int s0 = r0 * blocks, s1 = r1 * blocks, s2 = r2 * blocks, s3 = r3 * blocks;
        FloatVector a0 = FloatVector.zero(Vectors.F), a1 = a0, a2 = a0, a3 = a0;
        // Two vectors a step, written out (2 * L divides the block of 32): a standalone copy of this
        // kernel ran about a fifth slower with an inner loop over the block.
        for (int i = 0; i < cols; i += 2 * L) {
            int b = i >>> 5;
            FloatVector d0 = scale(s0 + b), d1 = scale(s1 + b), d2 = scale(s2 + b), d3 = scale(s3 + b);
            FloatVector t = FloatVector.fromArray(Vectors.F, x, xOff + i);
            FloatVector u = FloatVector.fromArray(Vectors.F, x, xOff + i + L);
            a0 = weights(q0 + i, d0).fma(t, a0);
            a0 = weights(q0 + i + L, d0).fma(u, a0);
            a1 = weights(q1 + i, d1).fma(t, a1);
            a1 = weights(q1 + i + L, d1).fma(u, a1);
            a2 = weights(q2 + i, d2).fma(t, a2);
            a2 = weights(q2 + i + L, d2).fma(u, a2);
            a3 = weights(q3 + i, d3).fma(t, a3);
            a3 = weights(q3 + i + L, d3).fma(u, a3);
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
