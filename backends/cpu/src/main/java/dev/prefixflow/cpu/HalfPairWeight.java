package dev.prefixflow.cpu;

import dev.prefixflow.gguf.GgmlType;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * F16 or BF16 weights with a single-token kernel. Each run of 2 L halves is stored as L ints: int m
 * holds half m in its low 16 bits and half L + m in its high 16 bits. One int load then gives two
 * vectors of weights in column order, each converted by two or three integer operations and a
 * multiply. The 16-bit layout took a widening conversion and about ten operations per vector, and
 * went through a decoded row in memory: F16 decode ran at 0.42x llama.cpp's speed.
 *
 * <p>A half in the high 16 bits of a lane converts as one formula for both types: shifted right
 * arithmetically, masked, read as a float and scaled. BF16: no shift, the low bits cleared, times 1.
 * F16: shifted by 3 and masked to sign | 000 | exponent | mantissa, times 2^112. Both are exact for
 * finite halves, subnormals included, and not for NaNs or F16 infinities, so {@link #pack} keeps a
 * matrix holding a non-finite half in the 16-bit layout. The type is data, not a branch: with a
 * branch, C2 merged the two types' vectors and allocated them (5 GB/s).
 */
final class HalfPairWeight extends CpuWeight implements RowDot {

    private final int[] pairs;
    private final int shift;
    private final int mask;
    private final float scale;

    private HalfPairWeight(String name, GgmlType type, int rows, int cols, int[] pairs) {
        super(name, type, rows, cols);
        this.pairs = pairs;
        boolean f16 = type == GgmlType.F16;
        this.shift = f16 ? 3 : 0;
        // F16: the sign, and exponent and mantissa moved 3 bits down; BF16: the high half.
        this.mask = f16 ? 0x8FFFE000 : 0xFFFF0000;
        this.scale = f16 ? 0x1p112f : 1f;
    }

    /** F16 or BF16 halves as a weight: paired when the rows are whole runs and every half is finite. */
    static CpuWeight pack(String name, GgmlType type, int rows, int cols, short[] halves) {
        boolean f16 = type == GgmlType.F16;
        // Exponent bits all set: F16 infinities and NaNs; BF16 infinities (exact here too) and NaNs.
        if (cols % (2 * L) != 0 || !finite(halves, f16 ? 0x7C00 : 0x7F80)) {
            return f16 ? new F16Weight(name, rows, cols, halves) : new Bf16Weight(name, rows, cols, halves);
        }
        int[] pairs = new int[halves.length / 2];
        for (int run = 0; run < halves.length; run += 2 * L) {
            for (int m = 0; m < L; m++) {
                pairs[run / 2 + m] = halves[run + m] & 0xFFFF | halves[run + L + m] << 16;
            }
        }
        return new HalfPairWeight(name, type, rows, cols, pairs);
    }

    private static boolean finite(short[] halves, int exponent) {
        for (short h : halves) {
            if ((h & exponent) == exponent) {
                return false;
            }
        }
        return true;
    }

    /** The halves in the low 16 bits of each lane. */
    private FloatVector low(IntVector v, IntVector mask, FloatVector scale) {
        return high(v.lanewise(VectorOperators.LSHL, 16), mask, scale);
    }

    /**
     * The halves in the high 16 bits of each lane (the low bits ignored); the mask and scale
     * broadcast once per loop rather than once per use, which keeps the loop's IR small.
     */
    private FloatVector high(IntVector v, IntVector mask, FloatVector scale) {
        return v.lanewise(VectorOperators.ASHR, shift).and(mask).reinterpretAsFloats().mul(scale);
    }

    private IntVector run(int at) {
        return IntVector.fromArray(Vectors.I, pairs, at);
    }

    @Override
    void decodeRow(int row, float[] dst, int off) {
        int base = row * cols() / 2;
        IntVector m = IntVector.broadcast(Vectors.I, mask);
        FloatVector f = FloatVector.broadcast(Vectors.F, scale);
        for (int c = 0; c < cols(); c += 2 * L) {
            IntVector v = run(base + c / 2);
            low(v, m, f).intoArray(dst, off + c);
            high(v, m, f).intoArray(dst, off + c + L);
        }
    }

    @Override
    public void dot4(int group, float[] x, int xOff, float[] res, float[] lanes) {
        int last = rows() - 1;
        // One call site, so C2 inlines one copy of rowPair. Rows past the last are padding: they
        // read the last row again, and their results are ignored.
        for (int k = 0; k < 4; k += 2) {
            rowPair(Math.min(4 * group + k, last), Math.min(4 * group + k + 1, last), x, xOff, lanes, k * L);
        }
        Vectors.sums(lanes, 0, 4, res, 0);
    }

    /**
     * Two rows' lane sums with x, to lanes[at ...]: each row's vectors in column order, as FloatTiles
     * adds them, so a token's result does not depend on the batch. Two rows a call, not four: four
     * rows' conversions (or two calls inlined) passed C2's inlining node cutoff, and the calls it left
     * out allocated their vectors (F16 decode at 5 GB/s).
     */
    private void rowPair(int r0, int r1, float[] x, int xOff, float[] lanes, int at) {
        int half = cols() / 2;
        int p0 = r0 * half;
        int p1 = r1 * half;
        IntVector m = IntVector.broadcast(Vectors.I, mask);
        FloatVector f = FloatVector.broadcast(Vectors.F, scale);
        FloatVector a0 = FloatVector.zero(Vectors.F), a1 = a0;
        for (int i = 0; i < half; i += L) {
            FloatVector t = FloatVector.fromArray(Vectors.F, x, xOff + 2 * i);
            FloatVector u = FloatVector.fromArray(Vectors.F, x, xOff + 2 * i + L);
            IntVector v0 = run(p0 + i);
            IntVector v1 = run(p1 + i);
            a0 = low(v0, m, f).fma(t, a0);
            a1 = low(v1, m, f).fma(t, a1);
            a0 = high(v0, m, f).fma(u, a0);
            a1 = high(v1, m, f).fma(u, a1);
        }
        a0.intoArray(lanes, at);
        a1.intoArray(lanes, at + L);
    }

    @Override
    long bytes() {
        return (long) pairs.length * Integer.BYTES;
    }
}
