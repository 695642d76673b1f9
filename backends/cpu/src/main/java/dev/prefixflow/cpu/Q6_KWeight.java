package dev.prefixflow.cpu;

import dev.prefixflow.gguf.GgmlType;
import dev.prefixflow.gguf.Half;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q6_K weights kept as ggml's 210-byte super-blocks: 128 bytes of low nibbles, 64 of high 2-bit
 * pairs, 16 int8 scales, f16 d. Decoded as ggml's dequantize_row_q6_K: (d * scale) * (q - 32).
 */
final class Q6_KWeight extends SuperBlockWeight {

    Q6_KWeight(String name, int rows, int cols, byte[] blocks) {
        super(name, GgmlType.Q6_K, rows, cols, blocks);
    }

    @Override
    void decodeBlock(int p, float[] dst, int off) {
        float d = Half.toFloat(shortAt(p + 208));
        for (int half = 0; half < 2; half++) {
            int ql = p + 64 * half;
            int qh = p + 128 + 32 * half;
            int sc = p + 192 + 8 * half;
            int o = off + 128 * half;
            // Group g holds elements 32g.. of the half: low nibbles of ql (g = 0, 1) or high ones
            // (g = 2, 3), from ql[0..] (even g) or ql[32..] (odd g), topped by bits 2g, 2g+1 of qh.
            for (int g = 0; g < 4; g++) {
                for (int l = 0; l < 32; l += L) {
                    IntVector low = Vectors.nibbles(blocks, ql + 32 * (g & 1) + l, g >= 2);
                    IntVector high = Vectors.ints(blocks, qh + l).lanewise(VectorOperators.ASHR, 2 * g).and(3)
                            .lanewise(VectorOperators.LSHL, 4);
                    float scale = d * blocks[sc + l / 16 + 2 * g];
                    ((FloatVector) low.or(high).sub(32).castShape(Vectors.F, 0)).mul(scale)
                            .intoArray(dst, o + 32 * g + l);
                }
            }
        }
    }
}
