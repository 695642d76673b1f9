package dev.prefixflow.cpu;

/**
 * The batched matrix product, parallel over groups of four rows. A single token is multiplied
 * straight from the stored (quantized) rows; several tokens share each row, decoded once per block
 * of tokens to floats in a per-thread buffer ({@link LaneRows} in the weight's kernel column order,
 * one token stride long) and multiplied in 4x4 register tiles ({@link FloatTiles}). Both paths do
 * the same float operations for a (row, token) pair, so a token's result never depends on the batch
 * or on the blocking. The tiles read the tokens in interleaved fours ({@link FloatTiles#interleave}),
 * copied once per call.
 *
 * <p>Blocking: when all the tokens fit in {@link #PANEL_BYTES} they stay in L2 while the row groups,
 * each decoded into L1, pass over them. Otherwise the rows are decoded a panel of {@link
 * #PANEL_BYTES} at a time into L2, and the tokens stream past the panel four at a time, in blocks of
 * {@link #BLOCK_BYTES}. The earlier blocking kept a 512 KB block of tokens in L2 and decoded every row
 * group again for each block: a 2048x8192 Q4_K row group (8704 floats a token) was decoded every 12
 * tokens. On a 2-core Zen 4 (1 MB L2, 32 MB L3), KernelBench at 512 tokens, one thread, GFLOP/s per
 * second of CPU time, before and after: Q4_K 1024x8192 46.1, 62.8 and 61.4, 77.6; Q8_0 52.9, 65.5 and
 * 74.6, 87.6; Q4_K 4096x2048 70.0, 76.5 and 72.5, 83.5.
 */
final class MatMul {

    private static final int ROWS = RowGroups.ROWS;
    /**
     * Bytes of decoded rows in a panel: half of a 1 MB L2, the rest left to the tokens passing it.
     * On the Zen 4, 256 KB and 768 KB panels measured within noise of 512 KB for 2048 columns; 256 KB
     * lost 12-17% for 8192.
     */
    static final int PANEL_BYTES = 512 << 10;
    /**
     * Bytes of tokens that pass over one panel before the next panel: a share of a shared L3, so each
     * block is read from memory once per row range, not once per panel. On the Zen 4, Q4_K 2048x8192
     * at 512 tokens and 2 threads ran at 143.8-148.5 GFLOP/s with 4 MB blocks, 130.2-143.2 with 2 MB,
     * 125.1-135.9 with 8 MB and 78.7-137.4 with one block of all 17 MB (104.4-119.2 before).
     */
    static final int BLOCK_BYTES = 4 << 20;
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private final CpuThreadPool pool;
    private final int panelBytes;
    private final int blockBytes;

    MatMul(CpuThreadPool pool) {
        this(pool, PANEL_BYTES, BLOCK_BYTES);
    }

    MatMul(CpuThreadPool pool, int panelBytes, int blockBytes) {
        this.pool = pool;
        this.panelBytes = panelBytes;
        this.blockBytes = blockBytes;
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
        float[] in = w instanceof LaneOrderedWeight ? s.tokens(n * stride) : x;
        float[] fours = s.fours(n / 4 * FloatTiles.fours(stride));
        // The tokens' copies, in the weight's order and in fours, by fours of tokens on the pool: done
        // on the calling thread they took 2-3% of a 512-token prefill, with the other threads idle.
        pool.parallelFor(n, 4, (long) n * stride, (t0, t1) -> {
            if (w instanceof LaneOrderedWeight k) {
                k.reorder(x, t0, t1, in);
            }
            FloatTiles.interleave(in, t0 * stride, stride, stride, t1 / 4 - t0 / 4, fours,
                    t0 / 4 * FloatTiles.fours(stride));
        });
        // Few tokens: one row group at a time, since a panel read back from L2 lost up to a third at 8
        // tokens (each row is decoded once either way).
        int panel = (long) n * stride * Float.BYTES <= panelBytes ? ROWS
                : Math.max(ROWS, panelBytes / (stride * Float.BYTES) / ROWS * ROWS);
        int block = Math.max(4, blockBytes / (stride * Float.BYTES) & ~3);
        pool.parallelFor(rows, ROWS, (long) rows * cols * n,
                (from, to) -> rowRange(w, in, stride, fours, out, n, from, to, panel, block));
    }

    private static void rowRange(CpuWeight w, float[] x, int stride, float[] fours, float[] out, int n, int from,
                                 int to, int panel, int block) {
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
        for (int t0 = 0; t0 < n; t0 += block) {
            for (int p = from; p < to; p += panel) {
                panel(w, x, stride, fours, out, t0, Math.min(n, t0 + block), p, Math.min(to, p + panel), s);
            }
        }
    }

    /**
     * Tokens [t0, t1) times rows [p, end), decoded here: whole fours (t0 is a multiple of 4) from
     * their interleaved copy, the rest from x. A four stays in cache while the panel's row groups pass.
     */
    private static void panel(CpuWeight w, float[] x, int stride, float[] fours, float[] out, int t0, int t1, int p,
                              int end, Scratch s) {
        int rows = w.rows();
        float[] src;
        int base;
        if (w instanceof F32Weight f) {
            src = f.data();
            base = p * stride;
        } else {
            src = s.rows((end - p) * stride);
            base = 0;
            for (int k = p; k < end; k++) {
                if (w instanceof LaneRows lw) {
                    lw.decodeLanes(k, src, (k - p) * stride);
                } else {
                    w.decodeRow(k, src, (k - p) * stride);
                }
            }
        }
        int t = t0;
        for (; t + 4 <= t1; t += 4) {
            int x0 = t / 4 * FloatTiles.fours(stride);
            for (int r = p; r < end; r += ROWS) {
                int count = Math.min(ROWS, end - r);
                int w0 = base + (r - p) * stride;
                FloatTiles.dot4x4(src, w0, row(w0, 1, count, stride), row(w0, 2, count, stride),
                        row(w0, 3, count, stride), fours, x0, stride, s.res, s.lanes);
                for (int tt = 0; tt < 4; tt++) {
                    store(out, t + tt, rows, r, count, s.res, 4 * tt);
                }
            }
        }
        for (; t < t1; t++) {
            for (int r = p; r < end; r += ROWS) {
                int count = Math.min(ROWS, end - r);
                int w0 = base + (r - p) * stride;
                FloatTiles.dot4x1(src, w0, row(w0, 1, count, stride), row(w0, 2, count, stride),
                        row(w0, 3, count, stride), x, t * stride, stride, s.res, s.lanes);
                store(out, t, rows, r, count, s.res, 0);
            }
        }
    }

    /**
     * Where row k of the group starting at w0 is: a short last group repeats its last row, and the
     * extra results are computed and dropped.
     */
    private static int row(int w0, int k, int count, int stride) {
        return w0 + Math.min(k, count - 1) * stride;
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

        /**
         * The tokens reordered for a {@link LaneOrderedWeight}: the calling thread's, written and read by
         * every thread of the call.
         */
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
