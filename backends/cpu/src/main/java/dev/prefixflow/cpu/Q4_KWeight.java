package dev.prefixflow.cpu;

import dev.prefixflow.gguf.GgmlType;
import dev.prefixflow.gguf.Half;
import jdk.incubator.vector.FloatVector;

/**
 * Q4_K weights kept as ggml's 144-byte super-blocks (f16 d, f16 dmin, 12 bytes of 6-bit scales and
 * mins, 128 bytes of nibbles); the few header values are decoded per super-block, which keeps the
 * weights at their stored size.
 */
final class Q4_KWeight extends SuperBlockWeight {

    Q4_KWeight(String name, int rows, int cols, byte[] blocks) {
        super(name, GgmlType.Q4_K, rows, cols, blocks);
    }

    @Override
    void decodeBlock(int p, float[] dst, int off) {
        float d = Half.toFloat(shortAt(p));
        float dmin = Half.toFloat(shortAt(p + 2));
        int scales = p + 4;
        for (int chunk = 0; chunk < 4; chunk++) {
            int q = p + 16 + 32 * chunk;
            int o = off + 64 * chunk;
            int is = 2 * chunk;
            nibbles(q, false, d * scale(scales, is), dmin * min(scales, is), dst, o);
            nibbles(q, true, d * scale(scales, is + 1), dmin * min(scales, is + 1), dst, o + 32);
        }
    }

    /** The 32 weights d * q - m whose nibbles (low or high) are in the 32 bytes at q. */
    private void nibbles(int q, boolean high, float d, float m, float[] dst, int o) {
        FloatVector dv = FloatVector.broadcast(Vectors.F, d);
        FloatVector mv = FloatVector.broadcast(Vectors.F, m);
        for (int j = 0; j < 32; j += L) {
            ((FloatVector) Vectors.nibbles(blocks, q + j, high).castShape(Vectors.F, 0)).mul(dv).sub(mv)
                    .intoArray(dst, o + j);
        }
    }

    // ggml's get_scale_min_k4, split into its two outputs.
    private int scale(int s, int j) {
        return j < 4 ? (blocks[s + j] & 63) : (blocks[s + j + 4] & 0x0F) | (((blocks[s + j - 4] & 0xFF) >> 6) << 4);
    }

    private int min(int s, int j) {
        return j < 4 ? (blocks[s + j + 4] & 63) : ((blocks[s + j + 4] & 0xFF) >> 4) | (((blocks[s + j] & 0xFF) >> 6) << 4);
    }
}
