package dev.prefixflow.cpu;

import dev.prefixflow.platform.KvPoolSpec;
import dev.prefixflow.platform.LayerAttention;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Causal attention over one layer's paged K/V, one query token and KV head at a time. A query's
 * float operations depend only on its position and the cache, never on how many tokens came in the
 * call, so chunked and whole prefill agree bit for bit.
 */
final class PagedAttention {

    private static final VectorSpecies<Float> F = Vectors.F;
    private static final int L = Vectors.L;
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private final KvPoolSpec spec;
    private final CpuThreadPool pool;

    PagedAttention(KvPoolSpec spec, CpuThreadPool pool) {
        this.spec = spec;
        this.pool = pool;
    }

    void attend(float[] keys, float[] values, float[] q, float[] out, int rowOffset, int n, int heads,
                int firstPosition, int[] blockTable, LayerAttention a) {
        int kvHeads = spec.kvHeads();
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException(heads + " query heads cannot share " + kvHeads + " KV heads evenly");
        }
        int group = heads / kvHeads;
        long work = 2L * n * heads * (firstPosition + n) * spec.headDim();
        pool.parallelFor(n * kvHeads, 1, work, (from, to) -> {
            Scratch s = SCRATCH.get();
            for (int item = from; item < to; item++) {
                int i = item / kvHeads;
                int kvHead = item % kvHeads;
                int firstRow = ((rowOffset + i) * heads + kvHead * group) * spec.headDim();
                group(keys, values, q, out, firstRow, group, firstPosition + i, kvHead * spec.headDim(), blockTable,
                        a, s);
            }
        });
    }

    /**
     * Attention of the {@code group} query heads that share one KV head (rows firstRow.. of q, one
     * head after the other, at position pos) over KV head columns kvCol.. of the positions it sees
     * (0..pos, or the window's last ones). The vector loops are kept one level deep in small methods:
     * in deeper loop nests C2 kept the vectors as heap objects and ran several times slower.
     */
    private void group(float[] keys, float[] values, float[] q, float[] out, int firstRow, int group, int pos,
                       int kvCol, int[] blockTable, LayerAttention layer, Scratch s) {
        int headDim = spec.headDim();
        int first = layer.firstVisible(pos);
        int len = pos + 1 - first;
        float scale = layer.scale();
        int[] rows = s.rows(len);
        int blockSize = spec.blockSize();
        // Block by block, so that no position needs a division past the first.
        for (int b = first / blockSize, o = first % blockSize, p = 0; p < len; b++, o = 0) {
            int slot = blockTable[b] * blockSize;
            for (; o < blockSize && p < len; o++, p++) {
                rows[p] = (slot + o) * spec.kvDim() + kvCol;
            }
        }
        float[] scores = s.scores(group * len);
        // Four query heads at a time read each key and value once for all four; the rest one by one.
        int four = group - group % 4;
        for (int j = 0; j < four; j += 4) {
            int row = firstRow + j * headDim;
            float[] heads = s.fours(FloatTiles.fours(headDim));
            FloatTiles.interleave(q, row, headDim, headDim, 1, heads, 0);
            int p = 0;
            for (; p + 4 <= len; p += 4) {
                // Keys as the tile's rows, the four heads as its tokens: each score adds as in dot4.
                FloatTiles.dot4x4(keys, rows[p], rows[p + 1], rows[p + 2], rows[p + 3], heads, 0, headDim, s.res,
                        s.lanes);
                for (int h = 0; h < 4; h++) {
                    for (int i = 0; i < 4; i++) {
                        scores[(j + h) * len + p + i] = s.res[4 * h + i] * scale;
                    }
                }
            }
            for (; p < len; p++) {
                for (int h = 0; h < 4; h++) {
                    scores[(j + h) * len + p] = dot(q, row + h * headDim, keys, rows[p], headDim, s.lanes) * scale;
                }
            }
        }
        for (int j = four; j < group; j++) {
            int row = firstRow + j * headDim;
            int p = 0;
            for (; p + 4 <= len; p += 4) {
                dot4(q, row, keys, rows, p, headDim, s.lanes, scores, j * len + p, scale);
            }
            for (; p < len; p++) {
                scores[j * len + p] = dot(q, row, keys, rows[p], headDim, s.lanes) * scale;
            }
        }
        for (int j = 0; j < group; j++) {
            if (layer.softcap() > 0) {
                Elementwise.softcap(scores, j * len, len, layer.softcap());
            }
            softmax(scores, j * len, len, s.lanes);
        }
        // The query rows are fully used above, so out may be the same array as q.
        int end = headDim - headDim % L;
        int blocked = end - end % (4 * L);
        for (int j = 0; j < four; j += 4) {
            for (int d = 0; d < blocked; d += 4 * L) {
                weightedSum4x4(values, rows, d, scores, j * len, len, out, firstRow + j * headDim + d, headDim);
            }
        }
        for (int j = 0; j < group; j++) {
            int row = firstRow + j * headDim;
            int d = j < four ? blocked : 0;
            for (; d < blocked; d += 4 * L) {
                weightedSum4(values, rows, d, scores, j * len, len, out, row + d);
            }
            for (; d < headDim; d++) {
                float a = 0;
                for (int p = 0; p < len; p++) {
                    a = Math.fma(scores[j * len + p], values[rows[p] + d], a);
                }
                out[row + d] = a;
            }
        }
    }

    /** q[qOff ...] . k[kOff ...] over headDim values: one vector accumulator, then its lanes in order. */
    private static float dot(float[] q, int qOff, float[] k, int kOff, int headDim, float[] lanes) {
        int end = headDim - headDim % L;
        FloatVector acc = FloatVector.zero(F);
        for (int d = 0; d < end; d += L) {
            acc = FloatVector.fromArray(F, q, qOff + d).fma(FloatVector.fromArray(F, k, kOff + d), acc);
        }
        return FloatTiles.finish(acc, q, qOff, k, kOff, end, headDim, lanes);
    }

    /**
     * {@link #dot} of q with the keys of positions p..p+3, times scale, into scores[at ...]: the four
     * accumulators are stored before any is summed, so the sums do not wait on one another's stores.
     */
    private static void dot4(float[] q, int qOff, float[] k, int[] rows, int p, int headDim, float[] lanes,
                             float[] scores, int at, float scale) {
        int end = headDim - headDim % L;
        int k0 = rows[p], k1 = rows[p + 1], k2 = rows[p + 2], k3 = rows[p + 3];
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int d = 0; d < end; d += L) {
            FloatVector qd = FloatVector.fromArray(F, q, qOff + d);
            a0 = qd.fma(FloatVector.fromArray(F, k, k0 + d), a0);
            a1 = qd.fma(FloatVector.fromArray(F, k, k1 + d), a1);
            a2 = qd.fma(FloatVector.fromArray(F, k, k2 + d), a2);
            a3 = qd.fma(FloatVector.fromArray(F, k, k3 + d), a3);
        }
        a0.intoArray(lanes, 0);
        a1.intoArray(lanes, L);
        a2.intoArray(lanes, 2 * L);
        a3.intoArray(lanes, 3 * L);
        for (int i = 0; i < 4; i++) {
            scores[at + i] = FloatTiles.tail(Vectors.sumLanes(lanes, i * L), q, qOff, k, rows[p + i], end, headDim)
                    * scale;
        }
    }

    /**
     * {@link #weightedSum4} for four query heads at once: weights of head h at wOff + h * len, its
     * output at o + h * headDim. Each value vector is loaded once for the four heads.
     */
    private static void weightedSum4x4(float[] values, int[] rows, int d, float[] w, int wOff, int len, float[] out,
                                       int o, int headDim) {
        FloatVector a00 = FloatVector.zero(F), a01 = a00, a02 = a00, a03 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
        FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        int w1 = wOff + len, w2 = w1 + len, w3 = w2 + len;
        for (int p = 0; p < len; p++) {
            int v = rows[p] + d;
            FloatVector v0 = FloatVector.fromArray(F, values, v);
            FloatVector v1 = FloatVector.fromArray(F, values, v + L);
            FloatVector v2 = FloatVector.fromArray(F, values, v + 2 * L);
            FloatVector v3 = FloatVector.fromArray(F, values, v + 3 * L);
            FloatVector weight = FloatVector.broadcast(F, w[wOff + p]);
            a00 = weight.fma(v0, a00);
            a01 = weight.fma(v1, a01);
            a02 = weight.fma(v2, a02);
            a03 = weight.fma(v3, a03);
            weight = FloatVector.broadcast(F, w[w1 + p]);
            a10 = weight.fma(v0, a10);
            a11 = weight.fma(v1, a11);
            a12 = weight.fma(v2, a12);
            a13 = weight.fma(v3, a13);
            weight = FloatVector.broadcast(F, w[w2 + p]);
            a20 = weight.fma(v0, a20);
            a21 = weight.fma(v1, a21);
            a22 = weight.fma(v2, a22);
            a23 = weight.fma(v3, a23);
            weight = FloatVector.broadcast(F, w[w3 + p]);
            a30 = weight.fma(v0, a30);
            a31 = weight.fma(v1, a31);
            a32 = weight.fma(v2, a32);
            a33 = weight.fma(v3, a33);
        }
        int o1 = o + headDim, o2 = o1 + headDim, o3 = o2 + headDim;
        a00.intoArray(out, o);
        a01.intoArray(out, o + L);
        a02.intoArray(out, o + 2 * L);
        a03.intoArray(out, o + 3 * L);
        a10.intoArray(out, o1);
        a11.intoArray(out, o1 + L);
        a12.intoArray(out, o1 + 2 * L);
        a13.intoArray(out, o1 + 3 * L);
        a20.intoArray(out, o2);
        a21.intoArray(out, o2 + L);
        a22.intoArray(out, o2 + 2 * L);
        a23.intoArray(out, o2 + 3 * L);
        a30.intoArray(out, o3);
        a31.intoArray(out, o3 + L);
        a32.intoArray(out, o3 + 2 * L);
        a33.intoArray(out, o3 + 3 * L);
    }

    /**
     * out[o + i] = sum over p of w[wOff + p] * values[rows[p] + d + i] for i below 4L: one fma per
     * position, in position order, in registers.
     */
    private static void weightedSum4(float[] values, int[] rows, int d, float[] w, int wOff, int len, float[] out,
                                     int o) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int p = 0; p < len; p++) {
            int v = rows[p] + d;
            FloatVector weight = FloatVector.broadcast(F, w[wOff + p]);
            a0 = weight.fma(FloatVector.fromArray(F, values, v), a0);
            a1 = weight.fma(FloatVector.fromArray(F, values, v + L), a1);
            a2 = weight.fma(FloatVector.fromArray(F, values, v + 2 * L), a2);
            a3 = weight.fma(FloatVector.fromArray(F, values, v + 3 * L), a3);
        }
        a0.intoArray(out, o);
        a1.intoArray(out, o + L);
        a2.intoArray(out, o + 2 * L);
        a3.intoArray(out, o + 3 * L);
    }

    /**
     * Turns scores[from ... from + len) into attention weights, vector by vector and then the tail,
     * with {@link Exp}: a query's weights depend only on its scores, not on where they are stored.
     */
    private static void softmax(float[] scores, int from, int len, float[] lanes) {
        int end = from + len - len % L;
        int to = from + len;
        FloatVector top = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        for (int p = from; p < end; p += L) {
            top = top.max(FloatVector.fromArray(F, scores, p));
        }
        float max = top.reduceLanes(VectorOperators.MAX);
        for (int p = end; p < to; p++) {
            max = Math.max(max, scores[p]);
        }
        FloatVector acc = FloatVector.zero(F);
        for (int p = from; p < end; p += L) {
            FloatVector e = Exp.exp(FloatVector.fromArray(F, scores, p).sub(max));
            e.intoArray(scores, p);
            acc = acc.add(e);
        }
        float sum = Vectors.sum(acc, lanes);
        for (int p = end; p < to; p++) {
            float e = Exp.exp(scores[p] - max);
            scores[p] = e;
            sum += e;
        }
        for (int p = from; p < end; p += L) {
            FloatVector.fromArray(F, scores, p).div(sum).intoArray(scores, p);
        }
        for (int p = end; p < to; p++) {
            scores[p] = scores[p] / sum;
        }
    }

    private static final class Scratch {
        final float[] lanes = new float[16 * L];
        final float[] res = new float[16];
        private float[] scores = new float[0];
        private int[] rows = new int[0];
        private float[] fours = new float[0];

        /** Four query heads interleaved for {@link FloatTiles#dot4x4}. */
        float[] fours(int size) {
            if (fours.length < size) {
                fours = new float[size];
            }
            return fours;
        }

        int[] rows(int size) {
            if (rows.length < size) {
                rows = new int[Math.max(size, 2 * rows.length)];
            }
            return rows;
        }

        float[] scores(int size) {
            if (scores.length < size) {
                scores = new float[Math.max(size, 2 * scores.length)];
            }
            return scores;
        }
    }
}
