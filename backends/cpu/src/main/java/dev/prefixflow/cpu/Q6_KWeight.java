package dev.prefixflow.cpu;

import dev.prefixflow.gguf.GgmlType;
import java.nio.ByteBuffer;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q6_K weights, 210 bytes a super-block as in ggml but reordered: f16 d, the sixteen int8 sub-block
 * scales, 128 bytes of low nibbles (byte u * L + l: position 2u of lane l low, 2u + 1 high) and 64
 * bytes of 2-bit high parts (byte t * L + l: positions 4t .. 4t + 3 of lane l, two bits each from
 * bit 0). Weight = (d * scale) * (q - 32), one rounding, as ggml's dequantize_row_q6_K.
 */
final class Q6_KWeight extends LaneOrderedWeight implements LaneRows {

    static final int BYTES = 210;
    private static final int SCALES = 2;
    private static final int LOWS = 18;
    private static final int HIGHS = 146;
    private static final int V = SuperBlockLanes.V;

    Q6_KWeight(String name, int rows, int cols, ByteBuffer ggml) {
        super(name, GgmlType.Q6_K, rows, cols, BYTES, 16);
        int superBlocks = cols / SIZE;
        int[] q = new int[SIZE];
        for (int r = 0; r < rows; r++) {
            for (int s = 0; s < superBlocks; s++) {
                int src = (r * superBlocks + s) * BYTES;
                int dst = offset(r, s);
                putHalf(dst, ggml.getShort(src + 208));
                for (int j = 0; j < 16; j++) {
                    blocks[dst + SCALES + j] = ggml.get(src + 192 + j);
                }
                // ggml: column 128 h + 32 g + i takes its low 4 bits from ql[64 h + 32 (g & 1) + i]
                // (high nibble for g >= 2) and its top 2 bits from bits 2g of qh[32 h + i].
                for (int c = 0; c < SIZE; c++) {
                    int h = c / 128;
                    int g = c % 128 / 32;
                    int i = c % 32;
                    int ql = ggml.get(src + 64 * h + 32 * (g & 1) + i) & 0xFF;
                    int qh = ggml.get(src + 128 + 32 * h + i) & 0xFF;
                    q[c] = (g >= 2 ? ql >> 4 : ql & 0x0F) | ((qh >> (2 * g)) & 3) << 4;
                }
                for (int pos = 0; pos < V; pos++) {
                    for (int l = 0; l < L; l++) {
                        int v = q[lanes.column(pos, l)];
                        blocks[dst + LOWS + pos / 2 * L + l] |= (byte) ((v & 0x0F) << (4 * (pos % 2)));
                        blocks[dst + HIGHS + pos / 4 * L + l] |= (byte) ((v >> 4) << (2 * (pos % 4)));
                    }
                }
            }
        }
    }

    /** The 6-bit quant at position pos, lane l of the super-block at p. */
    private int quant(int p, int pos, int l) {
        int low = (blocks[p + LOWS + pos / 2 * L + l] & 0xFF) >> (4 * (pos % 2)) & 0x0F;
        int high = (blocks[p + HIGHS + pos / 4 * L + l] & 0xFF) >> (2 * (pos % 4)) & 3;
        return low | high << 4;
    }

    @Override
    void decodeRow(int row, float[] dst, int off) {
        for (int s = 0; s < cols() / SIZE; s++) {
            int p = offset(row, s);
            float d = half(p);
            for (int pos = 0; pos < V; pos++) {
                for (int l = 0; l < L; l++) {
                    int c = lanes.column(pos, l);
                    dst[off + SIZE * s + c] = d * blocks[p + SCALES + c / 16] * (quant(p, pos, l) - 32);
                }
            }
        }
    }

    /** d * scale of each lane's sub-block in segment g of the super-block at p. */
    private FloatVector scales(int p, int g) {
        FloatVector sc = (FloatVector) ByteVector.fromArray(Vectors.B, blocks, p + SCALES + lanes.firstSubBlock(g))
                .castShape(Vectors.F, 0);
        return lanes.spread(sc).mul(half(p));
    }

    /**
     * The weight at an even position 2v of a lane, from its low-nibble byte lo and its high-bit byte
     * hi, with shift = 4 for even v and 0 for odd v (bits 0-1 or 4-5 of hi are its top bits).
     */
    private static FloatVector evenWeight(IntVector lo, IntVector hi, int shift, FloatVector scale, FloatVector offset) {
        return floats(lo.and(0x0F).or(hi.lanewise(VectorOperators.LSHL, shift).and(0x30))).fma(scale, offset);
    }

    /**
     * The weight at the odd position 2v + 1: its nibble stays in place (16 q), so scale16 is
     * scale / 16 and the product is still exact; its top bits (2-3 or 6-7 of hi) go to bits 8-9.
     */
    private static FloatVector oddWeight(IntVector lo, IntVector hi, int shift, FloatVector scale16, FloatVector offset) {
        return floats(lo.and(0xF0).or(hi.lanewise(VectorOperators.LSHL, shift + 2).and(0x300))).fma(scale16, offset);
    }

    private static FloatVector floats(IntVector q) {
        return (FloatVector) q.castShape(Vectors.F, 0);
    }

    /** The shift of {@link #evenWeight} for the position pair v. */
    private static int shift(int v) {
        return 4 - 4 * (v & 1);
    }

    @Override
    public void decodeLanes(int row, float[] dst, int off) {
        int segment = lanes.segment();
        for (int s = 0; s < cols() / SIZE; s++) {
            int p = offset(row, s);
            for (int g = 0; g < lanes.segments(); g++) {
                FloatVector d = scales(p, g);
                FloatVector d16 = d.mul(1f / 16);
                FloatVector o = d.mul(-32f);
                for (int v = g * segment / 2; v < (g + 1) * segment / 2; v++) {
                    IntVector lo = Vectors.ints(blocks, p + LOWS + v * L);
                    IntVector hi = Vectors.ints(blocks, p + HIGHS + v / 2 * L);
                    int o0 = off + SIZE * s + 2 * v * L;
                    evenWeight(lo, hi, shift(v), d, o).intoArray(dst, o0);
                    oddWeight(lo, hi, shift(v), d16, o).intoArray(dst, o0 + L);
                }
            }
        }
    }

    @Override
    public void dot4(int group, float[] x, int xOff, float[] res, float[] acc) {
        java.util.Arrays.fill(acc, 0, 4 * L, 0f);
        int segment = lanes.segment();
        int segments = lanes.segments();
        int p = offset(group * RowGroups.ROWS, 0);
        // One row's segment at a time, its accumulator through acc: vectors kept live across nested
        // loops become heap objects in C2, and so do all vectors of a method that reaches C2's node
        // limit for inlining, as this one would with two or more rows' loops in it.
        for (int s = 0; s < cols() / SIZE; s++, p += RowGroups.ROWS * BYTES) {
            for (int g = 0; g < segments; g++) {
                for (int k = 0; k < RowGroups.ROWS; k++) {
                    int pk = p + k * BYTES;
                    FloatVector d = scales(pk, g);
                    FloatVector h = d.mul(1f / 16);
                    FloatVector o = d.mul(-32f);
                    FloatVector a = FloatVector.fromArray(Vectors.F, acc, k * L);
                    for (int v = g * segment / 2; v < (g + 1) * segment / 2; v++) {
                        int xp = xOff + s * SIZE + 2 * v * L;
                        IntVector lo = Vectors.ints(blocks, pk + LOWS + v * L);
                        IntVector hi = Vectors.ints(blocks, pk + HIGHS + v / 2 * L);
                        a = evenWeight(lo, hi, shift(v), d, o).fma(FloatVector.fromArray(Vectors.F, x, xp), a);
                        a = oddWeight(lo, hi, shift(v), h, o).fma(FloatVector.fromArray(Vectors.F, x, xp + L), a);
                    }
                    a.intoArray(acc, k * L);
                }
            }
        }
        Vectors.sums(acc, 0, 4, res, 0);
    }
}
