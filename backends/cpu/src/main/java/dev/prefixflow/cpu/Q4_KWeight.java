package dev.prefixflow.cpu;

import dev.prefixflow.gguf.GgmlType;
import java.nio.ByteBuffer;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;

/**
 * Q4_K weights, {@value #BYTES} bytes a super-block: f16 d and dmin, the eight 6-bit sub-block scales
 * and eight mins unpacked to a byte each (ggml packs them into 12 bytes, which cost more to unpack
 * per use than the 4 bytes saved), and 128 bytes of nibbles: byte u * L + l holds position 2u of
 * lane l in its low nibble and position 2u + 1 in its high nibble. Weight = q * (d * scale) -
 * dmin * min, with one rounding.
 */
final class Q4_KWeight extends LaneOrderedWeight {

    static final int BYTES = 148;
    private static final int SCALES = 4;
    private static final int MINS = 12;
    private static final int QUANTS = 20;
    private static final int GGML_BYTES = 144;
    private static final int V = SuperBlockLanes.V;

    Q4_KWeight(String name, int rows, int cols, ByteBuffer ggml) {
        super(name, GgmlType.Q4_K, rows, cols, BYTES, 32);
        if (lanes.segments() != 1) {
            throw new IllegalStateException("Q4_K kernels need one segment per super-block, not " + lanes.segments());
        }
        int superBlocks = cols / SIZE;
        int[] q = new int[SIZE];
        for (int r = 0; r < rows; r++) {
            for (int s = 0; s < superBlocks; s++) {
                int src = (r * superBlocks + s) * GGML_BYTES;
                int dst = offset(r, s);
                putHalf(dst, ggml.getShort(src));
                putHalf(dst + 2, ggml.getShort(src + 2));
                for (int j = 0; j < 8; j++) {
                    blocks[dst + SCALES + j] = (byte) scale(ggml, src + 4, j);
                    blocks[dst + MINS + j] = (byte) min(ggml, src + 4, j);
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
        return lanes.spread(bytesAsFloats(p + SCALES)).mul(half(p));
    }

    /** -dmin * min of each lane's sub-block. */
    private FloatVector negMins(int p) {
        return lanes.spread(bytesAsFloats(p + MINS)).mul(-half(p + 2));
    }

    private FloatVector bytesAsFloats(int p) {
        return (FloatVector) ByteVector.fromArray(Vectors.B, blocks, p).castShape(Vectors.F, 0);
    }

    /** Low-nibble weights of the quant bytes b. */
    private static FloatVector low(IntVector b, FloatVector scale, FloatVector negMin) {
        return ((FloatVector) b.and(0x0F).castShape(Vectors.F, 0)).fma(scale, negMin);
    }

    /** High-nibble weights: the nibble stays in place (16 q), and scale16 is scale / 16, so the product is exact. */
    private static FloatVector high(IntVector b, FloatVector scale16, FloatVector negMin) {
        return ((FloatVector) b.and(0xF0).castShape(Vectors.F, 0)).fma(scale16, negMin);
    }

    @Override
    void decodeRow(int row, float[] dst, int off) {
        for (int s = 0; s < cols() / SIZE; s++) {
            int p = offset(row, s);
            float d = half(p);
            float dmin = half(p + 2);
            for (int pos = 0; pos < V; pos++) {
                for (int l = 0; l < L; l++) {
                    int c = lanes.column(pos, l);
                    int j = c / 32;
                    int b = blocks[p + QUANTS + pos / 2 * L + l] & 0xFF;
                    int q = pos % 2 == 0 ? b & 0x0F : b >> 4;
                    // ggml's dequantize_row_q4_K: (d * scale) * q - (dmin * min), two roundings.
                    dst[off + SIZE * s + c] = d * blocks[p + SCALES + j] * q - dmin * blocks[p + MINS + j];
                }
            }
        }
    }

    @Override
    void decodeLanes(int row, float[] dst, int off) {
        for (int s = 0; s < cols() / SIZE; s++, off += SIZE) {
            int p = offset(row, s);
            FloatVector d = scales(p);
            FloatVector d16 = d.mul(1f / 16);
            FloatVector m = negMins(p);
            for (int u = 0; u < V / 2; u++) {
                IntVector b = Vectors.ints(blocks, p + QUANTS + u * L);
                low(b, d, m).intoArray(dst, off + 2 * u * L);
                high(b, d16, m).intoArray(dst, off + (2 * u + 1) * L);
            }
        }
    }

    @Override
    public void dot4(int group, float[] x, int xOff, float[] res, float[] acc) {
        java.util.Arrays.fill(acc, 0, 4 * L, 0f);
        int p = offset(group * RowGroups.ROWS, 0);
        // One row's super-block at a time, its accumulator through acc: vectors kept live across
        // nested loops become heap objects in C2, and so do all vectors of a method that reaches C2's
        // node limit for inlining, as this one would with two rows' loops in it (four rows
        // interleaved were no faster than one).
        for (int xs = xOff; xs < xOff + cols(); xs += SIZE) {
            for (int k = 0; k < RowGroups.ROWS; k++, p += BYTES) {
                FloatVector d = scales(p);
                FloatVector d16 = d.mul(1f / 16);
                FloatVector m = negMins(p);
                FloatVector a = FloatVector.fromArray(Vectors.F, acc, k * L);
                for (int u = 0; u < V / 2; u++) {
                    IntVector b = Vectors.ints(blocks, p + QUANTS + u * L);
                    a = low(b, d, m).fma(FloatVector.fromArray(Vectors.F, x, xs + 2 * u * L), a);
                    a = high(b, d16, m).fma(FloatVector.fromArray(Vectors.F, x, xs + (2 * u + 1) * L), a);
                }
                a.intoArray(acc, k * L);
            }
        }
        for (int k = 0; k < RowGroups.ROWS; k++) {
            res[k] = Vectors.sumLanes(acc, k * L);
        }
    }
}
