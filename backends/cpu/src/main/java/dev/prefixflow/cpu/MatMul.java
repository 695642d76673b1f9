package dev.prefixflow.cpu;

/**
 * The batched matrix product, parallel over groups of four rows. A single token is multiplied
 * straight from the stored (quantized) rows; several tokens share each row group, decoded once to
 * floats in a per-thread buffer ({@link LaneRows} in the weight's kernel column order, one token
 * stride long) and multiplied in 4x4 register tiles ({@link FloatTiles}). Both paths do the same
 * float operations for a (row, token) pair, so a token's result never depends on the batch. The
 * tiles read the tokens in interleaved fours ({@link FloatTiles#interleave}), copied once per call.
 */
final class MatMul {

    private static final int ROWS = RowGroups.ROWS;
    /**
     * Bytes of tokens multiplied with all rows of a range before the next tokens: half of a 1 MB L2,
     * so the block stays in it while the decoded rows pass. Measured on a Zen 5 (1 MB L2 per core,
     * KernelBench at 512 tokens, 2 threads): Q8_0 2048x8192 ran at 157 GFLOP/s with 2 MB blocks,
     * 183 with 1 MB, 208 with 512 KB and 179 with 256 KB; Q4_K 8192x2048 at 135, 165, 168. (An
     * earlier Zen 4 measurement had found 2 MB best; 128 KB blocks lost it all to decoding the rows
     * again per block.)
     */
    static final int TOKEN_BLOCK_BYTES = 512 << 10;
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private final CpuThreadPool pool;
    private final int tokenBlockBytes;

    MatMul(CpuThreadPool pool) {
        this(pool, TOKEN_BLOCK_BYTES);
    }

    MatMul(CpuThreadPool pool, int tokenBlockBytes) {
        this.pool = pool;
        this.tokenBlockBytes = tokenBlockBytes;
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
        Scratch s = SCRATCH.get();
        int stride = w instanceof LaneOrderedWeight k ? k.tokenStride() : cols;
        float[] tokens = x;
        if (w instanceof LaneOrderedWeight k) {
            tokens = s.tokens(n * stride);
            k.reorder(x, n, tokens);
        }
        float[] fours = s.fours(n / 4 * FloatTiles.fours(stride));
        FloatTiles.interleave(tokens, 0, stride, stride, n / 4, fours, 0);
        float[] in = tokens;
        int block = Math.max(4, tokenBlockBytes / (stride * Float.BYTES) & ~3);
        pool.parallelFor(rows, ROWS, (long) rows * cols * n,
                (from, to) -> rowRange(w, in, stride, fours, out, n, from, to, block));
    }

    private static void rowRange(CpuWeight w, float[] x, int stride, float[] fours, float[] out, int n, int from,
                                 int to, int block) {
        Scratch s = SCRATCH.get();
        int rows = w.rows();
        // Chunks start at multiples of ROWS, so every group here is a whole RowGroups group.
        if (n == 1 && w instanceof RowDot direct) {
            int r = from;
            if (direct instanceof TwoStreams two) {
                // The range's first and second halves side by side, as two streams.
                int half = (to - from) / (2 * ROWS) * ROWS;
                for (; r < from + half; r += ROWS) {
                    two.dot4x2(r / ROWS, (r + half) / ROWS, x, 0, s.res, s.lanes);
                    store(out, 0, rows, r, ROWS, s.res, 0);
                    store(out, 0, rows, r + half, Math.min(ROWS, to - r - half), s.res, ROWS);
                }
                r += half;
            }
            for (; r < to; r += ROWS) {
                direct.dot4(r / ROWS, x, 0, s.res, s.lanes);
                store(out, 0, rows, r, Math.min(ROWS, to - r), s.res, 0);
            }
            return;
        }
        // Tokens in blocks that stay in cache while every row group of the range passes over them;
        // a row group is decoded again for each block.
        for (int t0 = 0; t0 < n; t0 += block) {
            for (int r = from; r < to; r += ROWS) {
                rowGroup(w, x, stride, fours, out, t0, Math.min(n, t0 + block), r, Math.min(ROWS, to - r), s);
            }
        }
    }

    /**
     * Tokens [t0, t1) times the {@code count} rows of the group at row r: whole fours (t0 is a
     * multiple of 4) from their interleaved copy, the rest from x.
     */
    private static void rowGroup(CpuWeight w, float[] x, int stride, float[] fours, float[] out, int t0, int t1,
                                 int r, int count, Scratch s) {
        int rows = w.rows();
        // A short last group repeats its last row: the extra results are computed and dropped.
        int last = r + count - 1;
        int r1 = Math.min(r + 1, last), r2 = Math.min(r + 2, last), r3 = Math.min(r + 3, last);
        float[] src;
        int base;
        if (w instanceof F32Weight f) {
            src = f.data();
            base = r * stride;
        } else {
            src = s.rows(ROWS * stride);
            base = 0;
            for (int k = r; k <= last; k++) {
                if (w instanceof LaneRows lw) {
                    lw.decodeLanes(k, src, (k - r) * stride);
                } else {
                    w.decodeRow(k, src, (k - r) * stride);
                }
            }
        }
        int w0 = base, w1 = base + (r1 - r) * stride, w2 = base + (r2 - r) * stride, w3 = base + (r3 - r) * stride;
        int t = t0;
        for (; t + 4 <= t1; t += 4) {
            FloatTiles.dot4x4(src, w0, w1, w2, w3, fours, t / 4 * FloatTiles.fours(stride), stride, s.res, s.lanes);
            for (int tt = 0; tt < 4; tt++) {
                store(out, t + tt, rows, r, count, s.res, 4 * tt);
            }
        }
        for (; t < t1; t++) {
            FloatTiles.dot4x1(src, w0, w1, w2, w3, x, t * stride, stride, s.res, s.lanes);
            store(out, t, rows, r, count, s.res, 0);
        }
    }

    /** out[token][r0 + k] = res[at + k] for the group's first {@code count} rows. */
    static void store(float[] out, int token, int rows, int r0, int count, float[] res, int at) {
        System.arraycopy(res, at, out, token * rows + r0, count);
    }

    /** Per-thread buffers, so the hot loop allocates nothing. */
    private static final class Scratch {
        final float[] res = new float[16];
        /** Room for {@link RowDot#dot4}'s accumulators. */
        final float[] lanes = new float[RowDot.LANES * Vectors.L];
        private float[] rows = new float[0];
        private float[] tokens = new float[0];
        private float[] fours = new float[0];

        /** The tokens reordered for a {@link LaneOrderedWeight}: used by the calling thread only. */
        float[] tokens(int size) {
            if (tokens.length < size) {
                tokens = new float[size];
            }
            return tokens;
        }

        /** The tokens in fours for the tiles: the calling thread's, read by every thread of the call. */
        float[] fours(int size) {
            if (fours.length < size) {
                fours = new float[size];
            }
            return fours;
        }

        float[] rows(int size) {
            if (rows.length < size) {
                rows = new float[size];
            }
            return rows;
        }
    }
}
