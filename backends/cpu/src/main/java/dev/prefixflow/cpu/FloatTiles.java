package dev.prefixflow.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Dot products of float rows with float tokens, in register tiles. Every (row, token) pair gets one
 * accumulator, updated by one fused multiply-add per vector in column order, then {@link
 * Vectors#sums}'s tree and a scalar tail: the same operations whatever tile the pair is computed in.
 */
final class FloatTiles {

    private static final VectorSpecies<Float> F = Vectors.F;
    private static final int L = Vectors.L;

    private FloatTiles() {
    }

    /** Floats that four tokens of {@code cols} take interleaved ({@link #interleave}): whole vectors, the last padded. */
    static int fours(int cols) {
        return 4 * L * ((cols + L - 1) / L);
    }

    /**
     * Copies {@code groups} fours of tokens (token i of {@code cols} floats at x[from + i stride]) to
     * dst[at ...], {@link #fours} floats per four, interleaved vector by vector: columns [c L, c L + L)
     * of token k at 4 L c + L k, the columns past the last whole vector as one more, partial vector.
     * The tile then reads its four tokens as one sequential stream: with 2048-column rows on a Zen 5
     * a tile ran at 140-150 GFLOP/s per core instead of 100-125 with the tokens 8 KB apart.
     */
    static void interleave(float[] x, int from, int stride, int cols, int groups, float[] dst, int at) {
        int end = cols - cols % L;
        for (int g = 0; g < groups; g++) {
            for (int k = 0; k < 4; k++) {
                int src = from + (4 * g + k) * stride;
                int to = at + g * fours(cols) + k * L;
                for (int c = 0; c < end; c += L) {
                    FloatVector.fromArray(F, x, src + c).intoArray(dst, to + 4 * c);
                }
                if (end < cols) {
                    System.arraycopy(x, src + end, dst, to + 4 * end, cols - end);
                }
            }
        }
    }

    /**
     * res[4 * t + k] = dot(w[wk ...], token t) over {@code cols} values, for rows k and tokens t in
     * 0..3, the four tokens interleaved at x[x0 ...] ({@link #interleave}).
     */
    static void dot4x4(float[] w, int w0, int w1, int w2, int w3, float[] x, int x0, int cols, float[] res,
                       float[] lanes) {
        FloatVector a00 = FloatVector.zero(F), a01 = a00, a02 = a00, a03 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
        FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        int end = cols - cols % L;
        for (int i = 0, q = x0; i < end; i += L, q += 4 * L) {
            FloatVector v0 = FloatVector.fromArray(F, w, w0 + i);
            FloatVector v1 = FloatVector.fromArray(F, w, w1 + i);
            FloatVector v2 = FloatVector.fromArray(F, w, w2 + i);
            FloatVector v3 = FloatVector.fromArray(F, w, w3 + i);
            FloatVector t = FloatVector.fromArray(F, x, q);
            a00 = v0.fma(t, a00);
            a01 = v1.fma(t, a01);
            a02 = v2.fma(t, a02);
            a03 = v3.fma(t, a03);
            t = FloatVector.fromArray(F, x, q + L);
            a10 = v0.fma(t, a10);
            a11 = v1.fma(t, a11);
            a12 = v2.fma(t, a12);
            a13 = v3.fma(t, a13);
            t = FloatVector.fromArray(F, x, q + 2 * L);
            a20 = v0.fma(t, a20);
            a21 = v1.fma(t, a21);
            a22 = v2.fma(t, a22);
            a23 = v3.fma(t, a23);
            t = FloatVector.fromArray(F, x, q + 3 * L);
            a30 = v0.fma(t, a30);
            a31 = v1.fma(t, a31);
            a32 = v2.fma(t, a32);
            a33 = v3.fma(t, a33);
        }
        if (L == 16) {
            // Vectors.sums's tree written out in registers, accumulator 4 t + k for token t, row k.
            // The 16 scalar sums this replaced took a tenth of a tile of 2048 columns and half of one
            // of 256 (one thread: 143-144 and 87-92 GFLOP/s before, 157-161 and 144-146 after).
            FloatVector c0 = a00.blend(a01, Vectors.HIGH1).add(a01.blend(a00, Vectors.HIGH1).rearrange(Vectors.SWAP1));
            FloatVector c1 = a02.blend(a03, Vectors.HIGH1).add(a03.blend(a02, Vectors.HIGH1).rearrange(Vectors.SWAP1));
            FloatVector c2 = a10.blend(a11, Vectors.HIGH1).add(a11.blend(a10, Vectors.HIGH1).rearrange(Vectors.SWAP1));
            FloatVector c3 = a12.blend(a13, Vectors.HIGH1).add(a13.blend(a12, Vectors.HIGH1).rearrange(Vectors.SWAP1));
            FloatVector c4 = a20.blend(a21, Vectors.HIGH1).add(a21.blend(a20, Vectors.HIGH1).rearrange(Vectors.SWAP1));
            FloatVector c5 = a22.blend(a23, Vectors.HIGH1).add(a23.blend(a22, Vectors.HIGH1).rearrange(Vectors.SWAP1));
            FloatVector c6 = a30.blend(a31, Vectors.HIGH1).add(a31.blend(a30, Vectors.HIGH1).rearrange(Vectors.SWAP1));
            FloatVector c7 = a32.blend(a33, Vectors.HIGH1).add(a33.blend(a32, Vectors.HIGH1).rearrange(Vectors.SWAP1));
            FloatVector e0 = c0.blend(c1, Vectors.HIGH2).add(c1.blend(c0, Vectors.HIGH2).rearrange(Vectors.SWAP2));
            FloatVector e1 = c2.blend(c3, Vectors.HIGH2).add(c3.blend(c2, Vectors.HIGH2).rearrange(Vectors.SWAP2));
            FloatVector e2 = c4.blend(c5, Vectors.HIGH2).add(c5.blend(c4, Vectors.HIGH2).rearrange(Vectors.SWAP2));
            FloatVector e3 = c6.blend(c7, Vectors.HIGH2).add(c7.blend(c6, Vectors.HIGH2).rearrange(Vectors.SWAP2));
            FloatVector f0 = e0.blend(e1, Vectors.HIGH3).add(e1.blend(e0, Vectors.HIGH3).rearrange(Vectors.SWAP3));
            FloatVector f1 = e2.blend(e3, Vectors.HIGH3).add(e3.blend(e2, Vectors.HIGH3).rearrange(Vectors.SWAP3));
            f0.blend(f1, Vectors.HIGH4).add(f1.blend(f0, Vectors.HIGH4).rearrange(Vectors.SWAP4))
                    .rearrange(Vectors.ORDER16).intoArray(res, 0);
            tails4(res, w, w0, w1, w2, w3, x, x0, end, cols);
            return;
        }
        // Stored here, not passed to a helper: C2 does not always inline one, and vectors it is passed
        // then become heap objects (a single-token F32 product fell to 1% of its speed).
        a00.intoArray(lanes, 0);
        a01.intoArray(lanes, L);
        a02.intoArray(lanes, 2 * L);
        a03.intoArray(lanes, 3 * L);
        a10.intoArray(lanes, 4 * L);
        a11.intoArray(lanes, 5 * L);
        a12.intoArray(lanes, 6 * L);
        a13.intoArray(lanes, 7 * L);
        a20.intoArray(lanes, 8 * L);
        a21.intoArray(lanes, 9 * L);
        a22.intoArray(lanes, 10 * L);
        a23.intoArray(lanes, 11 * L);
        a30.intoArray(lanes, 12 * L);
        a31.intoArray(lanes, 13 * L);
        a32.intoArray(lanes, 14 * L);
        a33.intoArray(lanes, 15 * L);
        Vectors.sums(lanes, 0, 16, res, 0);
        tails4(res, w, w0, w1, w2, w3, x, x0, end, cols);
    }

    /** The columns past the last whole vector, for the four interleaved tokens of {@link #dot4x4}. */
    private static void tails4(float[] res, float[] w, int w0, int w1, int w2, int w3, float[] x, int x0, int end,
                               int cols) {
        if (end < cols) {
            // Token k's partial vector starts at x0 + 4 end + k L, so column i of it at x0 + 3 end + k L + i.
            for (int k = 0; k < 4; k++) {
                tails(res, 4 * k, w, w0, w1, w2, w3, x, x0 + 3 * end + k * L, end, cols);
            }
        }
    }

    /** res[k] = dot(w[wk ...], x[x0 ...]) for rows k in 0..3 and one token. */
    static void dot4x1(float[] w, int w0, int w1, int w2, int w3, float[] x, int x0, int cols, float[] res,
                       float[] lanes) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        int end = cols - cols % L;
        for (int i = 0; i < end; i += L) {
            FloatVector t = FloatVector.fromArray(F, x, x0 + i);
            a0 = FloatVector.fromArray(F, w, w0 + i).fma(t, a0);
            a1 = FloatVector.fromArray(F, w, w1 + i).fma(t, a1);
            a2 = FloatVector.fromArray(F, w, w2 + i).fma(t, a2);
            a3 = FloatVector.fromArray(F, w, w3 + i).fma(t, a3);
        }
        a0.intoArray(lanes, 0);
        a1.intoArray(lanes, L);
        a2.intoArray(lanes, 2 * L);
        a3.intoArray(lanes, 3 * L);
        Vectors.sums(lanes, 0, 4, res, 0);
        if (end < cols) {
            tails(res, 0, w, w0, w1, w2, w3, x, x0, end, cols);
        }
    }

    /** Adds columns [from, cols) of rows w0..w3 times token x[xOff ...] to res[at ... at + 3]. */
    private static void tails(float[] res, int at, float[] w, int w0, int w1, int w2, int w3, float[] x, int xOff,
                              int from, int cols) {
        res[at] = tail(res[at], w, w0, x, xOff, from, cols);
        res[at + 1] = tail(res[at + 1], w, w1, x, xOff, from, cols);
        res[at + 2] = tail(res[at + 2], w, w2, x, xOff, from, cols);
        res[at + 3] = tail(res[at + 3], w, w3, x, xOff, from, cols);
    }

    /** Reduces an accumulator and adds the columns past the last whole vector. */
    static float finish(FloatVector acc, float[] w, int wOff, float[] x, int xOff, int from, int cols,
                        float[] lanes) {
        return tail(Vectors.sum(acc, lanes), w, wOff, x, xOff, from, cols);
    }

    /** s plus the products of columns [from, cols), one fused multiply-add each, in column order. */
    static float tail(float s, float[] w, int wOff, float[] x, int xOff, int from, int cols) {
        for (int i = from; i < cols; i++) {
            s = Math.fma(w[wOff + i], x[xOff + i], s);
        }
        return s;
    }
}
