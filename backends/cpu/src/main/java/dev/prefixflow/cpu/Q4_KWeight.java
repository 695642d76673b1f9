package dev.prefixflow.cpu;

import dev.prefixflow.gguf.GgmlType;
import dev.prefixflow.gguf.Half;
import java.nio.ByteBuffer;
import java.util.Arrays;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;

/**
 * Q4_K weights, {@link #BYTES} bytes a super-block: the 6-bit scale and min of each lane's sub-block
 * as one byte per lane, and 128 bytes of nibbles: byte u * L + l holds position 2u of lane l in its
 * low nibble and position 2u + 1 in its high nibble; d and dmin as floats in an array of their own.
 * ggml packs the eight scales and eight mins into 12 bytes; one byte each, spread over 16 lanes with
 * a vector shuffle per use, made the single-token kernel 1.5-2x slower than these 16 more bytes (8
 * rows: its inlining failed at C2's node cutoff or its shuffles stayed slow), so with 16 lanes a
 * super-block takes 160 + 8 bytes, with 8 lanes 144 + 8. d and dmin are converted from f16 once, at
 * load (exactly), rather than twice per row and super-block in the kernels: the single-token kernel
 * ran 2-4% faster on one thread.
 *
 * <p>The kernels take the scale and min out of the sum. Weight = (d * scale) q - (dmin * min), so a
 * lane's part of a super-block's dot product is (d * scale) * sum(q x) + (-dmin * min) * sum(x): per
 * weight one conversion of its quant and one multiply-add with the token, instead of also a
 * multiply-add to build the weight (the single-token kernel is bound by that arithmetic, not by
 * memory). sum(q x) is an exact-product float32 sum as before; only the rounding of the weights
 * themselves is gone. The tokens come with the odd positions divided by 16, so that a high nibble
 * can stay in place (16 q), and with each super-block's lane sums of x appended ({@link #reorder}).
 * Both the single-token and the batched kernel add in this order, so a token's result does not
 * depend on the batch.
 */
final class Q4_KWeight extends LaneOrderedWeight implements SuperBlockTiles, TwoStreams {

    private static final int SCALES = 0;
    private static final int MINS = SCALES + L;
    private static final int QUANTS = MINS + L;
    static final int BYTES = QUANTS + 128;
    private static final int GGML_BYTES = 144;
    private static final int V = SuperBlockLanes.V;
    private static final int ROWS = RowGroups.ROWS;
    /** Vectors of dot4's scratch per group: four accumulators, four scales, four mins. */
    private static final int GROUP_LANES = 12;

    /** d and dmin of super-block i (in the blocks' order) at 2i and 2i + 1. */
    private final float[] dm;

    Q4_KWeight(String name, int rows, int cols, ByteBuffer ggml) {
        super(name, GgmlType.Q4_K, rows, cols, BYTES, 32);
        this.dm = new float[2 * (blocks.length / BYTES)];
        if (lanes.segments() != 1) {
            throw new IllegalStateException("Q4_K kernels need one segment per super-block, not " + lanes.segments());
        }
        int superBlocks = cols / SIZE;
        int[] q = new int[SIZE];
        for (int r = 0; r < rows; r++) {
            for (int s = 0; s < superBlocks; s++) {
                int src = (r * superBlocks + s) * GGML_BYTES;
                int dst = offset(r, s);
                int i = dst / BYTES;
                dm[2 * i] = Half.toFloat(ggml.getShort(src));
                dm[2 * i + 1] = Half.toFloat(ggml.getShort(src + 2));
                for (int l = 0; l < L; l++) {
                    int j = lanes.column(0, l) / 32;
                    blocks[dst + SCALES + l] = (byte) scale(ggml, src + 4, j);
                    blocks[dst + MINS + l] = (byte) min(ggml, src + 4, j);
                }
                // ggml: byte 32 * chunk + i holds column 64 * chunk + i (low nibble) and + 32 (high).
                for (int c = 0; c < SIZE; c++) {
                    int b = ggml.get(src + 16 + 32 * (c / 64) + c % 32) & 0xFF;
                    q[c] = (c % 64 < 32) ? b & 0x0F : b >> 4;
                }
                for (int u = 0; u < V / 2; u++) {
                    for (int l = 0; l < L; l++) {
                        blocks[dst + QUANTS + u * L + l] = (byte) (q[lanes.column(2 * u, l)]
                                | q[lanes.column(2 * u + 1, l)] << 4);
                    }
                }
            }
        }
    }

    // ggml's get_scale_min_k4, split into its two outputs; s is the offset of the 12 packed bytes.
    private static int scale(ByteBuffer b, int s, int j) {
        return j < 4 ? b.get(s + j) & 63 : (b.get(s + j + 4) & 0x0F) | ((b.get(s + j - 4) & 0xFF) >> 6) << 4;
    }

    private static int min(ByteBuffer b, int s, int j) {
        return j < 4 ? b.get(s + j + 4) & 63 : (b.get(s + j + 4) & 0xFF) >> 4 | ((b.get(s + j) & 0xFF) >> 6) << 4;
    }

    /** d * scale of each lane's sub-block, for the super-block at p. */
    private FloatVector scales(int p) {
        return bytesAsFloats(p + SCALES).mul(dm[2 * (p / BYTES)]);
    }

    /** -dmin * min of each lane's sub-block. */
    private FloatVector negMins(int p) {
        return bytesAsFloats(p + MINS).mul(-dm[2 * (p / BYTES) + 1]);
    }

    private FloatVector bytesAsFloats(int p) {
        return (FloatVector) ByteVector.fromArray(Vectors.B, blocks, p).castShape(Vectors.F, 0);
    }

    @Override
    void decodeRow(int row, float[] dst, int off) {
        for (int s = 0; s < cols() / SIZE; s++) {
            int p = offset(row, s);
            float d = dm[2 * (p / BYTES)];
            float dmin = dm[2 * (p / BYTES) + 1];
            for (int pos = 0; pos < V; pos++) {
                for (int l = 0; l < L; l++) {
                    int b = blocks[p + QUANTS + pos / 2 * L + l] & 0xFF;
                    int q = pos % 2 == 0 ? b & 0x0F : b >> 4;
                    // ggml's dequantize_row_q4_K: (d * scale) * q - (dmin * min), two roundings.
                    dst[off + SIZE * s + lanes.column(pos, l)] = d * blocks[p + SCALES + l] * q
                            - dmin * blocks[p + MINS + l];
                }
            }
        }
    }

    /** Per token: the columns in lane order, odd positions divided by 16, then L lane sums per super-block. */
    @Override
    int tokenStride() {
        return cols() + cols() / V;
    }

    @Override
    void reorder(float[] x, int n, float[] dst) {
        int cols = cols();
        int stride = tokenStride();
        for (int t = 0; t < n; t++) {
            int to = t * stride;
            lanes.reorder(x, t * cols, cols, dst, to);
            for (int b = 0; b < cols / SIZE; b++) {
                int base = to + b * SIZE;
                for (int l = 0; l < L; l++) {
                    float sum = 0;
                    for (int pos = 0; pos < V; pos++) {
                        sum += dst[base + pos * L + l];
                    }
                    dst[to + cols + b * L + l] = sum;
                }
                // Exact (a power of two), so q x is the same product whichever side carries the 16.
                for (int pos = 1; pos < V; pos += 2) {
                    for (int l = 0; l < L; l++) {
                        dst[base + pos * L + l] *= 1f / 16;
                    }
                }
            }
        }
    }

    @Override
    long bytes() {
        return super.bytes() + (long) dm.length * Float.BYTES;
    }

    @Override
    public void dot4(int group, float[] x, int xOff, float[] res, float[] lanes) {
        dotGroups(group, group, 1, x, xOff, res, lanes);
    }

    @Override
    public void dot4x2(int first, int second, float[] x, int xOff, float[] res, float[] lanes) {
        dotGroups(first, second, 2, x, xOff, res, lanes);
    }

    /**
     * dot4 of group {@code first} and, if {@code groups} is 2, of group {@code second}, super-block by
     * super-block: res[4 g + k] for the g-th group's row k. Its accumulators, scales and mins are at
     * 12 g L in lanes.
     */
    private void dotGroups(int first, int second, int groups, float[] x, int xOff, float[] res, float[] lanes) {
        Arrays.fill(lanes, 0, groups * GROUP_LANES * L, 0f);
        int p = offset(first * ROWS, 0);
        int apart = offset(second * ROWS, 0) - p;
        int sums = xOff + cols();
        for (int xs = xOff; xs < xOff + cols(); xs += SIZE, p += ROWS * BYTES, sums += L) {
            for (int g = 0; g < groups; g++) {
                int pg = p + g * apart;
                int at = g * GROUP_LANES * L;
                // The scale vectors go through lanes, built here rather than in superBlock4, whose
                // own calls would come after C2's inlining cutoff.
                for (int k = 0; k < ROWS; k++) {
                    scales(pg + k * BYTES).intoArray(lanes, at + (ROWS + k) * L);
                    negMins(pg + k * BYTES).intoArray(lanes, at + (2 * ROWS + k) * L);
                }
                superBlock4(pg, x, xs, sums, lanes, at);
            }
        }
        for (int g = 0; g < groups; g++) {
            int at = g * GROUP_LANES * L;
            Vectors.sumLanes4(lanes, at, at + L, at + 2 * L, at + 3 * L, res, g * ROWS);
        }
    }

    /**
     * Adds one token's products with super-block p of the group's four rows to the accumulators in
     * lanes (row k's at at + k L; its scales at at + (4 + k) L, its mins at at + (8 + k) L). The four rows are
     * interleaved so that four chains of multiply-adds overlap, and the accumulators pass through
     * lanes because vectors live across nested loops become heap objects in C2.
     */
    private void superBlock4(int p, float[] x, int xs, int sums, float[] lanes, int at) {
        FloatVector s0 = FloatVector.zero(Vectors.F), s1 = s0, s2 = s0, s3 = s0;
        for (int u = 0; u < V / 2; u++) {
            FloatVector t = FloatVector.fromArray(Vectors.F, x, xs + 2 * u * L);
            FloatVector v = FloatVector.fromArray(Vectors.F, x, xs + (2 * u + 1) * L);
            int q = p + QUANTS + u * L;
            IntVector b0 = (IntVector) ByteVector.fromArray(Vectors.B, blocks, q).castShape(Vectors.I, 0);
            IntVector b1 = (IntVector) ByteVector.fromArray(Vectors.B, blocks, q + BYTES).castShape(Vectors.I, 0);
            IntVector b2 = (IntVector) ByteVector.fromArray(Vectors.B, blocks, q + 2 * BYTES).castShape(Vectors.I, 0);
            IntVector b3 = (IntVector) ByteVector.fromArray(Vectors.B, blocks, q + 3 * BYTES).castShape(Vectors.I, 0);
            s0 = ((FloatVector) b0.and(0x0F).castShape(Vectors.F, 0)).fma(t, s0);
            s1 = ((FloatVector) b1.and(0x0F).castShape(Vectors.F, 0)).fma(t, s1);
            s2 = ((FloatVector) b2.and(0x0F).castShape(Vectors.F, 0)).fma(t, s2);
            s3 = ((FloatVector) b3.and(0x0F).castShape(Vectors.F, 0)).fma(t, s3);
            s0 = ((FloatVector) b0.and(0xF0).castShape(Vectors.F, 0)).fma(v, s0);
            s1 = ((FloatVector) b1.and(0xF0).castShape(Vectors.F, 0)).fma(v, s1);
            s2 = ((FloatVector) b2.and(0xF0).castShape(Vectors.F, 0)).fma(v, s2);
            s3 = ((FloatVector) b3.and(0xF0).castShape(Vectors.F, 0)).fma(v, s3);
        }
        FloatVector sum = FloatVector.fromArray(Vectors.F, x, sums);
        FloatVector.fromArray(Vectors.F, lanes, at + 8 * L).fma(sum, FloatVector.fromArray(Vectors.F, lanes, at + 4 * L)
                .fma(s0, FloatVector.fromArray(Vectors.F, lanes, at))).intoArray(lanes, at);
        FloatVector.fromArray(Vectors.F, lanes, at + 9 * L).fma(sum, FloatVector.fromArray(Vectors.F, lanes, at + 5 * L)
                .fma(s1, FloatVector.fromArray(Vectors.F, lanes, at + L))).intoArray(lanes, at + L);
        FloatVector.fromArray(Vectors.F, lanes, at + 10 * L).fma(sum, FloatVector.fromArray(Vectors.F, lanes, at + 6 * L)
                .fma(s2, FloatVector.fromArray(Vectors.F, lanes, at + 2 * L))).intoArray(lanes, at + 2 * L);
        FloatVector.fromArray(Vectors.F, lanes, at + 11 * L).fma(sum, FloatVector.fromArray(Vectors.F, lanes, at + 7 * L)
                .fma(s3, FloatVector.fromArray(Vectors.F, lanes, at + 3 * L))).intoArray(lanes, at + 3 * L);
    }
    /** work: four decoded rows of quants (cols each), then their scales and mins (cols / V each), then 16 accumulators. */
    @Override
    public int workSize() {
        return ROWS * (cols() + 2 * cols() / V) + 16 * L;
    }

    @Override
    public void multiply(int group, float[] fours, float[] x, int t0, int t1, float[] out, int count, float[] work,
                         float[] res) {
        int cols = cols();
        int stride = tokenStride();
        int perRow = cols / V;
        int scales = ROWS * cols;
        int mins = scales + ROWS * perRow;
        int acc = mins + ROWS * perRow;
        decodeGroup(group, work, scales, mins);
        int t = t0;
        for (; t + 4 <= t1; t += 4) {
            Arrays.fill(work, acc, acc + 16 * L, 0f);
            int four = t / 4 * FloatTiles.fours(stride);
            for (int s = 0; s < cols / SIZE; s++) {
                tile4x4(work, cols, s * SIZE, scales + s * L, mins + s * L, perRow, fours, four + 4 * s * SIZE,
                        four + 4 * (cols + s * L), acc);
            }
            for (int k = 0; k < 16; k += 4) {
                Vectors.sumLanes4(work, acc + k * L, acc + (k + 1) * L, acc + (k + 2) * L, acc + (k + 3) * L, res, k);
            }
            for (int tt = 0; tt < 4; tt++) {
                MatMul.store(out, t + tt, rows(), group * ROWS, count, res, 4 * tt);
            }
        }
        for (; t < t1; t++) {
            Arrays.fill(work, acc, acc + ROWS * L, 0f);
            for (int s = 0; s < cols / SIZE; s++) {
                tile4x1(work, cols, s * SIZE, scales + s * L, mins + s * L, perRow, x, t * stride + s * SIZE,
                        t * stride + cols + s * L, acc);
            }
            Vectors.sumLanes4(work, acc, acc + L, acc + 2 * L, acc + 3 * L, res, 0);
            MatMul.store(out, t, rows(), group * ROWS, count, res, 0);
        }
    }

    /** The group's quants as floats (16 q at odd positions) and each super-block's scale and min vectors, as dot4 makes them. */
    private void decodeGroup(int group, float[] work, int scales, int mins) {
        int cols = cols();
        int perRow = cols / V;
        for (int k = 0; k < ROWS; k++) {
            for (int s = 0; s < cols / SIZE; s++) {
                int p = offset(group * ROWS + k, s);
                scales(p).intoArray(work, scales + k * perRow + s * L);
                negMins(p).intoArray(work, mins + k * perRow + s * L);
                int off = k * cols + s * SIZE;
                for (int u = 0; u < V / 2; u++) {
                    IntVector b = (IntVector) ByteVector.fromArray(Vectors.B, blocks, p + QUANTS + u * L)
                            .castShape(Vectors.I, 0);
                    ((FloatVector) b.and(0x0F).castShape(Vectors.F, 0)).intoArray(work, off + 2 * u * L);
                    ((FloatVector) b.and(0xF0).castShape(Vectors.F, 0)).intoArray(work, off + (2 * u + 1) * L);
                }
            }
        }
    }

    /**
     * One super-block (columns c ...) of four rows times four interleaved tokens (their super-block at
     * x0, their lane sums at sums), folded into the 16 accumulators at acc (token t, row k at
     * (4 t + k) L) exactly as superBlock4 does for one token.
     */
    private static void tile4x4(float[] w, int cols, int c, int scales, int mins, int perRow, float[] x, int x0,
                                int sums, int acc) {
        FloatVector a00 = FloatVector.zero(Vectors.F), a01 = a00, a02 = a00, a03 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
        FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        for (int i = 0, q = x0; i < SIZE; i += L, q += 4 * L) {
            FloatVector v0 = FloatVector.fromArray(Vectors.F, w, c + i);
            FloatVector v1 = FloatVector.fromArray(Vectors.F, w, cols + c + i);
            FloatVector v2 = FloatVector.fromArray(Vectors.F, w, 2 * cols + c + i);
            FloatVector v3 = FloatVector.fromArray(Vectors.F, w, 3 * cols + c + i);
            FloatVector t = FloatVector.fromArray(Vectors.F, x, q);
            a00 = v0.fma(t, a00);
            a01 = v1.fma(t, a01);
            a02 = v2.fma(t, a02);
            a03 = v3.fma(t, a03);
            t = FloatVector.fromArray(Vectors.F, x, q + L);
            a10 = v0.fma(t, a10);
            a11 = v1.fma(t, a11);
            a12 = v2.fma(t, a12);
            a13 = v3.fma(t, a13);
            t = FloatVector.fromArray(Vectors.F, x, q + 2 * L);
            a20 = v0.fma(t, a20);
            a21 = v1.fma(t, a21);
            a22 = v2.fma(t, a22);
            a23 = v3.fma(t, a23);
            t = FloatVector.fromArray(Vectors.F, x, q + 3 * L);
            a30 = v0.fma(t, a30);
            a31 = v1.fma(t, a31);
            a32 = v2.fma(t, a32);
            a33 = v3.fma(t, a33);
        }
        FloatVector d0 = FloatVector.fromArray(Vectors.F, w, scales);
        FloatVector d1 = FloatVector.fromArray(Vectors.F, w, scales + perRow);
        FloatVector d2 = FloatVector.fromArray(Vectors.F, w, scales + 2 * perRow);
        FloatVector d3 = FloatVector.fromArray(Vectors.F, w, scales + 3 * perRow);
        FloatVector m0 = FloatVector.fromArray(Vectors.F, w, mins);
        FloatVector m1 = FloatVector.fromArray(Vectors.F, w, mins + perRow);
        FloatVector m2 = FloatVector.fromArray(Vectors.F, w, mins + 2 * perRow);
        FloatVector m3 = FloatVector.fromArray(Vectors.F, w, mins + 3 * perRow);
        FloatVector sum = FloatVector.fromArray(Vectors.F, x, sums);
        m0.fma(sum, d0.fma(a00, FloatVector.fromArray(Vectors.F, w, acc))).intoArray(w, acc);
        m1.fma(sum, d1.fma(a01, FloatVector.fromArray(Vectors.F, w, acc + L))).intoArray(w, acc + L);
        m2.fma(sum, d2.fma(a02, FloatVector.fromArray(Vectors.F, w, acc + 2 * L))).intoArray(w, acc + 2 * L);
        m3.fma(sum, d3.fma(a03, FloatVector.fromArray(Vectors.F, w, acc + 3 * L))).intoArray(w, acc + 3 * L);
        sum = FloatVector.fromArray(Vectors.F, x, sums + L);
        m0.fma(sum, d0.fma(a10, FloatVector.fromArray(Vectors.F, w, acc + 4 * L))).intoArray(w, acc + 4 * L);
        m1.fma(sum, d1.fma(a11, FloatVector.fromArray(Vectors.F, w, acc + 5 * L))).intoArray(w, acc + 5 * L);
        m2.fma(sum, d2.fma(a12, FloatVector.fromArray(Vectors.F, w, acc + 6 * L))).intoArray(w, acc + 6 * L);
        m3.fma(sum, d3.fma(a13, FloatVector.fromArray(Vectors.F, w, acc + 7 * L))).intoArray(w, acc + 7 * L);
        sum = FloatVector.fromArray(Vectors.F, x, sums + 2 * L);
        m0.fma(sum, d0.fma(a20, FloatVector.fromArray(Vectors.F, w, acc + 8 * L))).intoArray(w, acc + 8 * L);
        m1.fma(sum, d1.fma(a21, FloatVector.fromArray(Vectors.F, w, acc + 9 * L))).intoArray(w, acc + 9 * L);
        m2.fma(sum, d2.fma(a22, FloatVector.fromArray(Vectors.F, w, acc + 10 * L))).intoArray(w, acc + 10 * L);
        m3.fma(sum, d3.fma(a23, FloatVector.fromArray(Vectors.F, w, acc + 11 * L))).intoArray(w, acc + 11 * L);
        sum = FloatVector.fromArray(Vectors.F, x, sums + 3 * L);
        m0.fma(sum, d0.fma(a30, FloatVector.fromArray(Vectors.F, w, acc + 12 * L))).intoArray(w, acc + 12 * L);
        m1.fma(sum, d1.fma(a31, FloatVector.fromArray(Vectors.F, w, acc + 13 * L))).intoArray(w, acc + 13 * L);
        m2.fma(sum, d2.fma(a32, FloatVector.fromArray(Vectors.F, w, acc + 14 * L))).intoArray(w, acc + 14 * L);
        m3.fma(sum, d3.fma(a33, FloatVector.fromArray(Vectors.F, w, acc + 15 * L))).intoArray(w, acc + 15 * L);
    }

    /** One super-block of four rows times one token, into the four accumulators at acc: tile4x4 for one token. */
    private static void tile4x1(float[] w, int cols, int c, int scales, int mins, int perRow, float[] x, int x0,
                                int sums, int acc) {
        FloatVector a0 = FloatVector.zero(Vectors.F), a1 = a0, a2 = a0, a3 = a0;
        for (int i = 0; i < SIZE; i += L) {
            FloatVector t = FloatVector.fromArray(Vectors.F, x, x0 + i);
            a0 = FloatVector.fromArray(Vectors.F, w, c + i).fma(t, a0);
            a1 = FloatVector.fromArray(Vectors.F, w, cols + c + i).fma(t, a1);
            a2 = FloatVector.fromArray(Vectors.F, w, 2 * cols + c + i).fma(t, a2);
            a3 = FloatVector.fromArray(Vectors.F, w, 3 * cols + c + i).fma(t, a3);
        }
        FloatVector sum = FloatVector.fromArray(Vectors.F, x, sums);
        FloatVector.fromArray(Vectors.F, w, mins).fma(sum, FloatVector.fromArray(Vectors.F, w, scales)
                .fma(a0, FloatVector.fromArray(Vectors.F, w, acc))).intoArray(w, acc);
        FloatVector.fromArray(Vectors.F, w, mins + perRow).fma(sum, FloatVector.fromArray(Vectors.F, w, scales + perRow)
                .fma(a1, FloatVector.fromArray(Vectors.F, w, acc + L))).intoArray(w, acc + L);
        FloatVector.fromArray(Vectors.F, w, mins + 2 * perRow).fma(sum, FloatVector.fromArray(Vectors.F, w,
                scales + 2 * perRow).fma(a2, FloatVector.fromArray(Vectors.F, w, acc + 2 * L))).intoArray(w, acc + 2 * L);
        FloatVector.fromArray(Vectors.F, w, mins + 3 * perRow).fma(sum, FloatVector.fromArray(Vectors.F, w,
                scales + 3 * perRow).fma(a3, FloatVector.fromArray(Vectors.F, w, acc + 3 * L))).intoArray(w, acc + 3 * L);
    }
}
