package dev.prefixflow.cpu;

import dev.prefixflow.platform.KvPoolSpec;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Causal attention over one layer's paged K/V, one (query token, head) pair at a time. A pair's
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
                int firstPosition, int[] blockTable, float scale) {
        int kvHeads = spec.kvHeads();
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException(heads + " query heads cannot share " + kvHeads + " KV heads evenly");
        }
        int headDim = spec.headDim();
        long work = 2L * n * heads * (firstPosition + n) * headDim;
        pool.parallelFor(n * heads, 1, work, (from, to) -> {
            Scratch s = SCRATCH.get();
            for (int pair = from; pair < to; pair++) {
                int i = pair / heads;
                int h = pair % heads;
                int row = (rowOffset + i) * heads * headDim + h * headDim;
                one(keys, values, q, out, row, firstPosition + i, (h / (heads / kvHeads)) * headDim, blockTable,
                        scale, s);
            }
        });
    }

    /** Attention of the query at q[row ...] (position pos) over KV head columns kvCol.. of positions 0..pos. */
    private void one(float[] keys, float[] values, float[] q, float[] out, int row, int pos, int kvCol,
                     int[] blockTable, float scale, Scratch s) {
        int headDim = spec.headDim();
        int kvDim = spec.kvDim();
        int blockSize = spec.blockSize();
        int len = pos + 1;
        float[] scores = s.scores(len);
        int end = headDim - headDim % L;
        float max = Float.NEGATIVE_INFINITY;
        for (int p = 0; p < len; p++) {
            int k = (blockTable[p / blockSize] * blockSize + p % blockSize) * kvDim + kvCol;
            FloatVector acc = FloatVector.zero(F);
            for (int d = 0; d < end; d += L) {
                acc = FloatVector.fromArray(F, q, row + d).fma(FloatVector.fromArray(F, keys, k + d), acc);
            }
            float score = FloatTiles.finish(acc, q, row, keys, k, end, headDim, s.lanes) * scale;
            scores[p] = score;
            max = Math.max(max, score);
        }
        float sum = 0;
        for (int p = 0; p < len; p++) {
            float e = (float) Math.exp(scores[p] - max);
            scores[p] = e;
            sum += e;
        }
        // The query row is fully used above, so out may be the same array as q.
        for (int d = 0; d < headDim; d++) {
            out[row + d] = 0;
        }
        for (int p = 0; p < len; p++) {
            float weight = scores[p] / sum;
            int v = (blockTable[p / blockSize] * blockSize + p % blockSize) * kvDim + kvCol;
            for (int d = 0; d < end; d += L) {
                FloatVector.broadcast(F, weight).fma(FloatVector.fromArray(F, values, v + d),
                        FloatVector.fromArray(F, out, row + d)).intoArray(out, row + d);
            }
            for (int d = end; d < headDim; d++) {
                out[row + d] = Math.fma(weight, values[v + d], out[row + d]);
            }
        }
    }

    private static final class Scratch {
        final float[] lanes = new float[L];
        private float[] scores = new float[0];

        float[] scores(int size) {
            if (scores.length < size) {
                scores = new float[Math.max(size, 2 * scores.length)];
            }
            return scores;
        }
    }
}
