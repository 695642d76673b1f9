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
 * <p>A weight is (d * scale) q, one rounding, as a float that the single-token kernel builds in a
 * register and {@link #decodeLanes} writes for the batched tiles; the min is taken out of the sum:
 * a lane's part of a super-block's dot product is sum(((d * scale) q) x) + (-dmin * min) * sum(x).
 * The tokens come with the odd positions divided by 16, so that a high nibble can stay in place
 * (16 q, and (d * scale) 16 q is exactly 16 times the weight), and each super-block's 256 columns are
 * followed by its L lane sums of x ({@link #reorder}); a decoded row puts the -dmin * min vector in
 * the same place. Both kernels then add the same products in the same order, so a token's result does
 * not depend on the batch, and the batched path is the plain {@link FloatTiles}. An earlier form
 * also took the scale out of the sum, folding (d * scale) * sum(q x) in after every super-block: the
 * single-token kernel was 3-10% faster out of memory, but its own batched tiles reached 172-181
 * GFLOP/s (8192x2048 at 512 tokens, 2 threads) against 209-229 for these float tiles, and dropped to
 * about 106 in some runs when C2 compiled the fold's stores as allocating calls.
 */
final class Q4_KWeight extends LaneOrderedWeight implements LaneRows, TwoStreams {

    private static final int SCALES = 0;
    private static final int MINS = SCALES + L;
    private static final int QUANTS = MINS + L;
    static final int BYTES = QUANTS + 128;
    /** Floats of a token per super-block: its columns, then its lane sums. */
    private static final int CHUNK = SIZE + L;
    private static final int GGML_BYTES = 144;
    private static final int V = SuperBlockLanes.V;
    private static final int ROWS = RowGroups.ROWS;
    /** Vectors of dot4's scratch per group past the accumulators of both: four scales, four mins. */
    private static final int GROUP_LANES = 8;

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

    /** Per token and super-block: its columns in lane order, odd positions divided by 16, then its L lane sums. */
    @Override
    int tokenStride() {
        return cols() / SIZE * CHUNK;
    }

    @Override
    void reorder(float[] x, int from, int to, float[] dst) {
        int cols = cols();
        for (int t = from; t < to; t++) {
            for (int b = 0; b < cols / SIZE; b++) {
                int base = t * tokenStride() + b * CHUNK;
                lanes.reorder(x, t * cols + b * SIZE, SIZE, dst, base);
                for (int l = 0; l < L; l++) {
                    float sum = 0;
                    for (int pos = 0; pos < V; pos++) {
                        sum += dst[base + pos * L + l];
                    }
                    dst[base + SIZE + l] = sum;
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
    public void decodeLanes(int row, float[] dst, int off) {
        for (int s = 0; s < cols() / SIZE; s++) {
            int p = offset(row, s);
            FloatVector d = scales(p);
            int at = off + s * CHUNK;
            for (int u = 0; u < V / 2; u++) {
                IntVector b = (IntVector) ByteVector.fromArray(Vectors.B, blocks, p + QUANTS + u * L)
                        .castShape(Vectors.I, 0);
                ((FloatVector) b.and(0x0F).castShape(Vectors.F, 0)).mul(d).intoArray(dst, at + 2 * u * L);
                ((FloatVector) b.and(0xF0).castShape(Vectors.F, 0)).mul(d).intoArray(dst, at + (2 * u + 1) * L);
            }
            negMins(p).intoArray(dst, at + SIZE);
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
     * super-block: res[4 g + k] for the g-th group's row k. Its accumulators are at 4 g L in lanes
     * (those of both groups one after another, reduced together), its scales and mins at
     * (8 + 8 g) L.
     */
    private void dotGroups(int first, int second, int groups, float[] x, int xOff, float[] res, float[] lanes) {
        Arrays.fill(lanes, 0, groups * ROWS * L, 0f);
        int p = offset(first * ROWS, 0);
        int apart = offset(second * ROWS, 0) - p;
        for (int xs = xOff; xs < xOff + tokenStride(); xs += CHUNK, p += ROWS * BYTES) {
            for (int g = 0; g < groups; g++) {
                int pg = p + g * apart;
                int scales = (2 * ROWS + g * GROUP_LANES) * L;
                // The scale vectors go through lanes, built here rather than in superBlock4, whose
                // own calls would come after C2's inlining cutoff.
                for (int k = 0; k < ROWS; k++) {
                    scales(pg + k * BYTES).intoArray(lanes, scales + k * L);
                    negMins(pg + k * BYTES).intoArray(lanes, scales + (ROWS + k) * L);
                }
                superBlock4(pg, x, xs, lanes, g * ROWS * L, scales);
            }
        }
        Vectors.sums(lanes, 0, groups * ROWS, res, 0);
    }

    /**
     * Adds one token's products with super-block p of the group's four rows to the accumulators in
     * lanes (row k's at at + k L; its scales at scales + k L, its mins at scales + (4 + k) L): the weights
     * as {@link #decodeLanes} writes them, one multiply-add each, then the mins times the lane sums.
     * The four rows are interleaved so that four chains of multiply-adds overlap, and the
     * accumulators pass through lanes because vectors live across nested loops become heap objects in C2.
     */
    private void superBlock4(int p, float[] x, int xs, float[] lanes, int at, int scales) {
        FloatVector a0 = FloatVector.fromArray(Vectors.F, lanes, at);
        FloatVector a1 = FloatVector.fromArray(Vectors.F, lanes, at + L);
        FloatVector a2 = FloatVector.fromArray(Vectors.F, lanes, at + 2 * L);
        FloatVector a3 = FloatVector.fromArray(Vectors.F, lanes, at + 3 * L);
        FloatVector d0 = FloatVector.fromArray(Vectors.F, lanes, scales);
        FloatVector d1 = FloatVector.fromArray(Vectors.F, lanes, scales + L);
        FloatVector d2 = FloatVector.fromArray(Vectors.F, lanes, scales + 2 * L);
        FloatVector d3 = FloatVector.fromArray(Vectors.F, lanes, scales + 3 * L);
        for (int u = 0; u < V / 2; u++) {
            FloatVector t = FloatVector.fromArray(Vectors.F, x, xs + 2 * u * L);
            FloatVector v = FloatVector.fromArray(Vectors.F, x, xs + (2 * u + 1) * L);
            int q = p + QUANTS + u * L;
            IntVector b0 = (IntVector) ByteVector.fromArray(Vectors.B, blocks, q).castShape(Vectors.I, 0);
            IntVector b1 = (IntVector) ByteVector.fromArray(Vectors.B, blocks, q + BYTES).castShape(Vectors.I, 0);
            IntVector b2 = (IntVector) ByteVector.fromArray(Vectors.B, blocks, q + 2 * BYTES).castShape(Vectors.I, 0);
            IntVector b3 = (IntVector) ByteVector.fromArray(Vectors.B, blocks, q + 3 * BYTES).castShape(Vectors.I, 0);
            a0 = ((FloatVector) b0.and(0x0F).castShape(Vectors.F, 0)).mul(d0).fma(t, a0);
            a1 = ((FloatVector) b1.and(0x0F).castShape(Vectors.F, 0)).mul(d1).fma(t, a1);
            a2 = ((FloatVector) b2.and(0x0F).castShape(Vectors.F, 0)).mul(d2).fma(t, a2);
            a3 = ((FloatVector) b3.and(0x0F).castShape(Vectors.F, 0)).mul(d3).fma(t, a3);
            a0 = ((FloatVector) b0.and(0xF0).castShape(Vectors.F, 0)).mul(d0).fma(v, a0);
            a1 = ((FloatVector) b1.and(0xF0).castShape(Vectors.F, 0)).mul(d1).fma(v, a1);
            a2 = ((FloatVector) b2.and(0xF0).castShape(Vectors.F, 0)).mul(d2).fma(v, a2);
            a3 = ((FloatVector) b3.and(0xF0).castShape(Vectors.F, 0)).mul(d3).fma(v, a3);
        }
        FloatVector sum = FloatVector.fromArray(Vectors.F, x, xs + SIZE);
        FloatVector.fromArray(Vectors.F, lanes, scales + 4 * L).fma(sum, a0).intoArray(lanes, at);
        FloatVector.fromArray(Vectors.F, lanes, scales + 5 * L).fma(sum, a1).intoArray(lanes, at + L);
        FloatVector.fromArray(Vectors.F, lanes, scales + 6 * L).fma(sum, a2).intoArray(lanes, at + 2 * L);
        FloatVector.fromArray(Vectors.F, lanes, scales + 7 * L).fma(sum, a3).intoArray(lanes, at + 3 * L);
    }
}
