package dev.prefixflow.cpu;

/**
 * The batched matrix product, parallel over groups of four rows. A single token is multiplied
 * straight from the stored (quantized) rows; several tokens share each row group, decoded once to
 * floats in a per-thread buffer and multiplied in 4x4 register tiles. Both paths do the same float
 * operations for a (row, token) pair, so a token's result never depends on the batch.
 */
final class MatMul {

    private static final int ROWS = RowGroups.ROWS;
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private final CpuThreadPool pool;

    MatMul(CpuThreadPool pool) {
        this.pool = pool;
    }

    void run(CpuWeight w, float[] x, float[] out, int n) {
        int rows = w.rows();
        int cols = w.cols();
        if (n < 0 || (long) n * cols > x.length || (long) n * rows > out.length) {
            throw new IllegalArgumentException("matmul of " + w + " with " + n + " tokens: x has " + x.length
                    + " floats, out has " + out.length);
        }
        if (n == 0) {
            return;
        }
        float[] in = x;
        if (w instanceof LaneOrderedWeight k) {
            in = SCRATCH.get().tokens(n * cols);
            k.reorder(x, n, in);
        }
        float[] tokens = in;
        pool.parallelFor(rows, ROWS, (long) rows * cols * n, (from, to) -> rowRange(w, tokens, out, n, from, to));
    }

    private static void rowRange(CpuWeight w, float[] x, float[] out, int n, int from, int to) {
        Scratch s = SCRATCH.get();
        int rows = w.rows();
        int cols = w.cols();
        // Chunks start at multiples of ROWS, so every group here is a whole RowGroups group.
        for (int r = from; r < to; r += ROWS) {
            int count = Math.min(ROWS, to - r);
            if (n == 1 && w instanceof RowDot direct) {
                direct.dot4(r / ROWS, x, 0, s.res, s.lanes);
                store(out, 0, rows, r, count, s.res, 0);
                continue;
            }
            // A short last group repeats its last row: the extra results are computed and dropped.
            int last = r + count - 1;
            int r1 = Math.min(r + 1, last), r2 = Math.min(r + 2, last), r3 = Math.min(r + 3, last);
            float[] src;
            int base;
            if (w instanceof F32Weight f) {
                src = f.data();
                base = r * cols;
            } else {
                src = s.rows(ROWS * cols);
                base = 0;
                for (int k = r; k <= last; k++) {
                    if (w instanceof LaneOrderedWeight lw) {
                        lw.decodeLanes(k, src, (k - r) * cols);
                    } else {
                        w.decodeRow(k, src, (k - r) * cols);
                    }
                }
            }
            int w0 = base, w1 = base + (r1 - r) * cols, w2 = base + (r2 - r) * cols, w3 = base + (r3 - r) * cols;
            int t = 0;
            for (; t + 4 <= n; t += 4) {
                int x0 = t * cols;
                FloatTiles.dot4x4(src, w0, w1, w2, w3, x, x0, x0 + cols, x0 + 2 * cols, x0 + 3 * cols, cols,
                        s.res, s.lanes);
                for (int tt = 0; tt < 4; tt++) {
                    store(out, t + tt, rows, r, count, s.res, 4 * tt);
                }
            }
            for (; t < n; t++) {
                FloatTiles.dot4x1(src, w0, w1, w2, w3, x, t * cols, cols, s.res, s.lanes);
                store(out, t, rows, r, count, s.res, 0);
            }
        }
    }

    /** out[token][r0 + k] = res[at + k] for the group's first {@code count} rows. */
    private static void store(float[] out, int token, int rows, int r0, int count, float[] res, int at) {
        System.arraycopy(res, at, out, token * rows + r0, count);
    }

    /** Per-thread buffers, so the hot loop allocates nothing. */
    private static final class Scratch {
        final float[] res = new float[16];
        /** Room for {@link RowDot#dot4}'s accumulators. */
        final float[] lanes = new float[RowGroups.ROWS * Vectors.L];
        private float[] rows = new float[0];
        private float[] tokens = new float[0];

        /** The tokens reordered for a {@link LaneOrderedWeight}: used by the calling thread only. */
        float[] tokens(int size) {
            if (tokens.length < size) {
                tokens = new float[size];
            }
            return tokens;
        }

        float[] rows(int size) {
            if (rows.length < size) {
                rows = new float[size];
            }
            return rows;
        }
    }
}
