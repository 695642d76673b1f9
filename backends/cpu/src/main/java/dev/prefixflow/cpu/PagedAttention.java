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
        // KV head by KV head, the tokens in turn: a chunk of whole heads holds its share of the causal
        // triangle (token by token, the last chunk held the longest rows), and a thread's next query
        // reads the keys and values its last one read.
        pool.parallelFor(n * kvHeads, 1, work, (from, to) -> {
            Scratch s = SCRATCH.get();
            for (int item = from; item < to; item++) {
                int i = item % n;
                int kvHead = item / n;
                int firstRow = ((rowOffset + i) * heads + kvHead * group) * spec.headDim();
                // Three calls from here rather than one method: C2 then compiles the softmax into this
                // small loop instead of into the scores' method, where its exp's vectors were heap
                // objects (a 2000-token prefill spent 8.7% of its time there, 1.4% this way).
                scores(keys, q, firstRow, group, firstPosition + i, kvHead * spec.headDim(), blockTable, a, s);
                normalize(group, a, s);
                weightedSums(values, out, firstRow, group, s);
            }
        });
    }

    /**
     * The scores of the {@code group} query heads that share one KV head (rows firstRow.. of q, one
     * head after the other, at position pos) over KV head columns kvCol.. of the positions it sees
     * (0..pos, or the window's last ones), into the scratch with the positions' value rows. Scores are
     * computed for whole blocks, from the first visible one's start, and those outside the range are
     * not used. The vector loops are kept one level deep in small methods: in deeper loop nests C2 kept
     * the vectors as heap objects and ran several times slower.
     */
    private void scores(float[] keys, float[] q, int firstRow, int group, int pos, int kvCol, int[] blockTable,
                        LayerAttention layer, Scratch s) {
        int headDim = spec.headDim();
        int first = layer.firstVisible(pos);
        int len = pos + 1 - first;
        int blockSize = spec.blockSize();
        int firstBlock = first / blockSize;
        int span = (pos / blockSize + 1 - firstBlock) * blockSize;
        int skip = first - firstBlock * blockSize;
        s.len = len;
        s.span = span;
        s.skip = skip;
        int[] rows = s.rows(len);
        int[] chunks = s.chunks(span / L + 3);
        int[] at = s.at(span / L + 3);
        int count = 0;
        int blockFloats = blockSize * spec.kvDim();
        for (int b = firstBlock, p = 0; p < span; b++, p += blockSize) {
            int keyBase = blockTable[b] * blockFloats + kvCol * blockSize;
            for (int o = 0; o + L <= blockSize; o += L, count++) {
                chunks[count] = keyBase + o;
                at[count] = p + o;
            }
            for (int o = Math.max(0, skip - p); o < blockSize && p + o - skip < len; o++) {
                rows[p + o - skip] = (blockTable[b] * blockSize + o) * spec.kvDim() + kvCol;
            }
        }
        // Whole fours of chunks: a short last four repeats its last chunk, whose scores it writes again.
        int fours = (count + 3) / 4 * 4;
        for (int c = count; c < fours; c++) {
            chunks[c] = chunks[count - 1];
            at[c] = at[count - 1];
        }
        float scale = layer.scale();
        float[] scores = s.scores(group * span);
        int four = group - group % 4;
        for (int c = 0; c < fours && count > 0; c += 4) {
            for (int j = 0; j < four; j += 4) {
                scores4x4(q, firstRow + j * headDim, headDim, keys, chunks, at, c, blockSize, scale, scores, j * span,
                        span);
            }
            for (int j = four; j < group; j++) {
                scores1x4(q, firstRow + j * headDim, headDim, keys, chunks, at, c, blockSize, scale, scores, j * span);
            }
        }
        if (blockSize % L != 0) {
            partialChunks(q, firstRow, group, headDim, keys, blockTable, firstBlock, span, kvCol, scale, scores);
        }
    }

    /** The scores of each head turned into attention weights (soft-capped first where the layer asks). */
    private static void normalize(int group, LayerAttention layer, Scratch s) {
        for (int j = 0; j < group; j++) {
            int from = j * s.span + s.skip;
            if (layer.softcap() > 0) {
                Elementwise.softcap(s.scores, from, s.len, layer.softcap());
            }
            softmax(s.scores, from, s.len, s.lanes);
        }
    }

    /**
     * Each head's output, the weighted sum of the values its scores weigh. The query rows are fully
     * used by then, so out may be the same array as q.
     */
    private void weightedSums(float[] values, float[] out, int firstRow, int group, Scratch s) {
        int headDim = spec.headDim();
        int span = s.span;
        int skip = s.skip;
        int len = s.len;
        int[] rows = s.rows;
        float[] scores = s.scores;
        int four = group - group % 4;
        int end = headDim - headDim % L;
        int blocked = end - end % (4 * L);
        for (int j = 0; j < four; j += 4) {
            for (int d = 0; d < blocked; d += 4 * L) {
                weightedSum4x4(values, rows, d, scores, j * span + skip, span, len, out, firstRow + j * headDim + d,
                        headDim);
            }
        }
        for (int j = 0; j < group; j++) {
            int row = firstRow + j * headDim;
            int w = j * span + skip;
            int d = j < four ? blocked : 0;
            for (; d < blocked; d += 4 * L) {
                weightedSum4(values, rows, d, scores, w, len, out, row + d);
            }
            for (; d < headDim; d++) {
                float a = 0;
                for (int p = 0; p < len; p++) {
                    a = Math.fma(scores[w + p], values[rows[p] + d], a);
                }
                out[row + d] = a;
            }
        }
    }

    /**
     * Scores of four query heads (q rows r, r + headDim, ...) for the L positions of each of chunks
     * c..c+3: a lane is one position's dot product, one fused multiply-add per dimension in order, then
     * times the scale; head h's scores go to scores[s0 + h * stride + at[k] ...]. Each key vector is
     * loaded once for the four heads.
     */
    private static void scores4x4(float[] q, int r, int headDim, float[] keys, int[] chunks, int[] at, int c,
                                  int blockSize, float scale, float[] scores, int s0, int stride) {
        int k0 = chunks[c], k1 = chunks[c + 1], k2 = chunks[c + 2], k3 = chunks[c + 3];
        int r1 = r + headDim, r2 = r1 + headDim, r3 = r2 + headDim;
        FloatVector a00 = FloatVector.zero(F), a01 = a00, a02 = a00, a03 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
        FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        for (int d = 0, o = 0; d < headDim; d++, o += blockSize) {
            FloatVector v0 = FloatVector.fromArray(F, keys, k0 + o);
            FloatVector v1 = FloatVector.fromArray(F, keys, k1 + o);
            FloatVector v2 = FloatVector.fromArray(F, keys, k2 + o);
            FloatVector v3 = FloatVector.fromArray(F, keys, k3 + o);
            FloatVector h = FloatVector.broadcast(F, q[r + d]);
            a00 = h.fma(v0, a00);
            a01 = h.fma(v1, a01);
            a02 = h.fma(v2, a02);
            a03 = h.fma(v3, a03);
            h = FloatVector.broadcast(F, q[r1 + d]);
            a10 = h.fma(v0, a10);
            a11 = h.fma(v1, a11);
            a12 = h.fma(v2, a12);
            a13 = h.fma(v3, a13);
            h = FloatVector.broadcast(F, q[r2 + d]);
            a20 = h.fma(v0, a20);
            a21 = h.fma(v1, a21);
            a22 = h.fma(v2, a22);
            a23 = h.fma(v3, a23);
            h = FloatVector.broadcast(F, q[r3 + d]);
            a30 = h.fma(v0, a30);
            a31 = h.fma(v1, a31);
            a32 = h.fma(v2, a32);
            a33 = h.fma(v3, a33);
        }
        int p0 = at[c], p1 = at[c + 1], p2 = at[c + 2], p3 = at[c + 3];
        int s1 = s0 + stride, s2 = s1 + stride, s3 = s2 + stride;
        a00.mul(scale).intoArray(scores, s0 + p0);
        a01.mul(scale).intoArray(scores, s0 + p1);
        a02.mul(scale).intoArray(scores, s0 + p2);
        a03.mul(scale).intoArray(scores, s0 + p3);
        a10.mul(scale).intoArray(scores, s1 + p0);
        a11.mul(scale).intoArray(scores, s1 + p1);
        a12.mul(scale).intoArray(scores, s1 + p2);
        a13.mul(scale).intoArray(scores, s1 + p3);
        a20.mul(scale).intoArray(scores, s2 + p0);
        a21.mul(scale).intoArray(scores, s2 + p1);
        a22.mul(scale).intoArray(scores, s2 + p2);
        a23.mul(scale).intoArray(scores, s2 + p3);
        a30.mul(scale).intoArray(scores, s3 + p0);
        a31.mul(scale).intoArray(scores, s3 + p1);
        a32.mul(scale).intoArray(scores, s3 + p2);
        a33.mul(scale).intoArray(scores, s3 + p3);
    }

    /** {@link #scores4x4} for one query head. */
    private static void scores1x4(float[] q, int r, int headDim, float[] keys, int[] chunks, int[] at, int c,
                                  int blockSize, float scale, float[] scores, int s0) {
        int k0 = chunks[c], k1 = chunks[c + 1], k2 = chunks[c + 2], k3 = chunks[c + 3];
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int d = 0, o = 0; d < headDim; d++, o += blockSize) {
            FloatVector h = FloatVector.broadcast(F, q[r + d]);
            a0 = h.fma(FloatVector.fromArray(F, keys, k0 + o), a0);
            a1 = h.fma(FloatVector.fromArray(F, keys, k1 + o), a1);
            a2 = h.fma(FloatVector.fromArray(F, keys, k2 + o), a2);
            a3 = h.fma(FloatVector.fromArray(F, keys, k3 + o), a3);
        }
        a0.mul(scale).intoArray(scores, s0 + at[c]);
        a1.mul(scale).intoArray(scores, s0 + at[c + 1]);
        a2.mul(scale).intoArray(scores, s0 + at[c + 2]);
        a3.mul(scale).intoArray(scores, s0 + at[c + 3]);
    }

    /**
     * The scores of the positions past a block's last whole vector (a block size that is not a
     * multiple of L), one at a time, with the same operations as a vector lane.
     */
    private void partialChunks(float[] q, int firstRow, int group, int headDim, float[] keys, int[] blockTable,
                               int firstBlock, int span, int kvCol, float scale, float[] scores) {
        int blockSize = spec.blockSize();
        int blockFloats = blockSize * spec.kvDim();
        for (int b = firstBlock, p = 0; p < span; b++, p += blockSize) {
            int keyBase = blockTable[b] * blockFloats + kvCol * blockSize;
            for (int o = blockSize - blockSize % L; o < blockSize; o++) {
                for (int j = 0; j < group; j++) {
                    int r = firstRow + j * headDim;
                    float a = 0;
                    for (int d = 0; d < headDim; d++) {
                        a = Math.fma(q[r + d], keys[keyBase + d * blockSize + o], a);
                    }
                    scores[j * span + p + o] = a * scale;
                }
            }
        }
    }

    /**
     * {@link #weightedSum4} for four query heads at once: weights of head h at wOff + h * wStride, its
     * output at o + h * headDim. Each value vector is loaded once for the four heads.
     */
    private static void weightedSum4x4(float[] values, int[] rows, int d, float[] w, int wOff, int wStride, int len,
                                       float[] out, int o, int headDim) {
        FloatVector a00 = FloatVector.zero(F), a01 = a00, a02 = a00, a03 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
        FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        int w1 = wOff + wStride, w2 = w1 + wStride, w3 = w2 + wStride;
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
        /** The current query's visible positions, the scores' span per head, and where they start in it. */
        int len;
        int span;
        int skip;
        private float[] scores = new float[0];
        private int[] rows = new int[0];
        private int[] chunks = new int[0];
        private int[] at = new int[0];

        /** Where each visible position's value row starts. */
        int[] rows(int size) {
            rows = grown(rows, size);
            return rows;
        }

        /** Where each vector of positions' keys start, in the pool. */
        int[] chunks(int size) {
            chunks = grown(chunks, size);
            return chunks;
        }

        /** Where each vector of positions' scores go, past a head's first. */
        int[] at(int size) {
            at = grown(at, size);
            return at;
        }

        float[] scores(int size) {
            if (scores.length < size) {
                scores = new float[Math.max(size, 2 * scores.length)];
            }
            return scores;
        }

        private static int[] grown(int[] a, int size) {
            return a.length < size ? new int[Math.max(size, 2 * a.length)] : a;
        }
    }
}
