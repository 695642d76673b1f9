package dev.prefixflow.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Dot products of float rows with float tokens, in register tiles. Every (row, token) pair gets one
 * accumulator, updated by one fused multiply-add per vector in column order, then {@link
 * Vectors#sum} and a scalar tail: the same operations whatever tile the pair is computed in.
 */
final class FloatTiles {

    private static final VectorSpecies<Float> F = Vectors.F;
    private static final int L = Vectors.L;

    private FloatTiles() {
    }

    /** res[4 * t + k] = dot(w[wk ...], x[xt ...]) over {@code cols} values, for rows k and tokens t in 0..3. */
    static void dot4x4(float[] w, int w0, int w1, int w2, int w3, float[] x, int x0, int x1, int x2, int x3,
                       int cols, float[] res, float[] lanes) {
        FloatVector a00 = FloatVector.zero(F), a01 = a00, a02 = a00, a03 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
        FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        int end = cols - cols % L;
        for (int i = 0; i < end; i += L) {
            FloatVector v0 = FloatVector.fromArray(F, w, w0 + i);
            FloatVector v1 = FloatVector.fromArray(F, w, w1 + i);
            FloatVector v2 = FloatVector.fromArray(F, w, w2 + i);
            FloatVector v3 = FloatVector.fromArray(F, w, w3 + i);
            FloatVector t = FloatVector.fromArray(F, x, x0 + i);
            a00 = v0.fma(t, a00);
            a01 = v1.fma(t, a01);
            a02 = v2.fma(t, a02);
            a03 = v3.fma(t, a03);
            t = FloatVector.fromArray(F, x, x1 + i);
            a10 = v0.fma(t, a10);
            a11 = v1.fma(t, a11);
            a12 = v2.fma(t, a12);
            a13 = v3.fma(t, a13);
            t = FloatVector.fromArray(F, x, x2 + i);
            a20 = v0.fma(t, a20);
            a21 = v1.fma(t, a21);
            a22 = v2.fma(t, a22);
            a23 = v3.fma(t, a23);
            t = FloatVector.fromArray(F, x, x3 + i);
            a30 = v0.fma(t, a30);
            a31 = v1.fma(t, a31);
            a32 = v2.fma(t, a32);
            a33 = v3.fma(t, a33);
        }
        res[0] = finish(a00, w, w0, x, x0, end, cols, lanes);
        res[1] = finish(a01, w, w1, x, x0, end, cols, lanes);
        res[2] = finish(a02, w, w2, x, x0, end, cols, lanes);
        res[3] = finish(a03, w, w3, x, x0, end, cols, lanes);
        res[4] = finish(a10, w, w0, x, x1, end, cols, lanes);
        res[5] = finish(a11, w, w1, x, x1, end, cols, lanes);
        res[6] = finish(a12, w, w2, x, x1, end, cols, lanes);
        res[7] = finish(a13, w, w3, x, x1, end, cols, lanes);
        res[8] = finish(a20, w, w0, x, x2, end, cols, lanes);
        res[9] = finish(a21, w, w1, x, x2, end, cols, lanes);
        res[10] = finish(a22, w, w2, x, x2, end, cols, lanes);
        res[11] = finish(a23, w, w3, x, x2, end, cols, lanes);
        res[12] = finish(a30, w, w0, x, x3, end, cols, lanes);
        res[13] = finish(a31, w, w1, x, x3, end, cols, lanes);
        res[14] = finish(a32, w, w2, x, x3, end, cols, lanes);
        res[15] = finish(a33, w, w3, x, x3, end, cols, lanes);
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
        res[0] = finish(a0, w, w0, x, x0, end, cols, lanes);
        res[1] = finish(a1, w, w1, x, x0, end, cols, lanes);
        res[2] = finish(a2, w, w2, x, x0, end, cols, lanes);
        res[3] = finish(a3, w, w3, x, x0, end, cols, lanes);
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
