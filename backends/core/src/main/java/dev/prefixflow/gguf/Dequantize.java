package dev.prefixflow.gguf;

import java.nio.ByteBuffer;

/**
 * Scalar dequantization of one tensor row, following ggml's block layouts (ggml-quants.c
 * {@code dequantize_row_*}) operation for operation. This is the reference that vectorized kernels
 * are tested against, so it favours obviousness over speed.
 */
public final class Dequantize {
    private static final int QK_K = 256;

    private Dequantize() {
    }

    /** Writes row {@code row} of {@code t} (its {@code cols()} weights) to {@code out[off..]}. */
    public static void row(TensorData t, int row, float[] out, int off) {
        int cols = t.cols();
        if (row < 0 || row >= t.rows()) {
            throw new IllegalArgumentException("row " + row + " outside 0.." + (t.rows() - 1)
                    + " of tensor '" + t.name() + "'");
        }
        if (off < 0 || off > out.length - cols) {
            throw new IllegalArgumentException("out has no room for " + cols + " values at " + off);
        }
        GgmlType type = t.type();
        ByteBuffer b = t.data();
        int blocks = cols / type.blockSize();
        int base = Math.toIntExact((long) row * blocks * type.typeSize());
        switch (type) {
            case F32 -> {
                for (int i = 0; i < cols; i++) {
                    out[off + i] = b.getFloat(base + 4 * i);
                }
            }
            case F16 -> {
                for (int i = 0; i < cols; i++) {
                    out[off + i] = Half.toFloat(b.getShort(base + 2 * i));
                }
            }
            case BF16 -> {
                for (int i = 0; i < cols; i++) {
                    out[off + i] = Float.intBitsToFloat(b.getShort(base + 2 * i) << 16);
                }
            }
            case Q8_0 -> {
                for (int k = 0; k < blocks; k++) {
                    q8_0(b, base + k * type.typeSize(), out, off + k * 32);
                }
            }
            case Q4_0 -> {
                for (int k = 0; k < blocks; k++) {
                    q4_0(b, base + k * type.typeSize(), out, off + k * 32);
                }
            }
            case Q4_K -> {
                for (int k = 0; k < blocks; k++) {
                    q4_K(b, base + k * type.typeSize(), out, off + k * QK_K);
                }
            }
            case Q6_K -> {
                for (int k = 0; k < blocks; k++) {
                    q6_K(b, base + k * type.typeSize(), out, off + k * QK_K);
                }
            }
            default -> throw new IllegalArgumentException("cannot dequantize tensor '" + t.name()
                    + "' of type " + type);
        }
    }

    /** block_q8_0: f16 d, 32 int8 qs; y = qs * d. */
    private static void q8_0(ByteBuffer b, int at, float[] y, int o) {
        float d = Half.toFloat(b.getShort(at));
        for (int j = 0; j < 32; j++) {
            y[o + j] = b.get(at + 2 + j) * d;
        }
    }

    /** block_q4_0: f16 d, 16 bytes; low nibbles are elements 0..15, high nibbles 16..31. */
    private static void q4_0(ByteBuffer b, int at, float[] y, int o) {
        float d = Half.toFloat(b.getShort(at));
        for (int j = 0; j < 16; j++) {
            int q = b.get(at + 2 + j) & 0xFF;
            y[o + j] = ((q & 0x0F) - 8) * d;
            y[o + j + 16] = ((q >>> 4) - 8) * d;
        }
    }

    /**
     * block_q4_K: f16 d, f16 dmin, 12 bytes of packed 6-bit scales and mins, 128 bytes of nibbles.
     * Each 64 weights use two (scale, min) pairs: low nibbles for the first 32, high for the next.
     */
    private static void q4_K(ByteBuffer b, int at, float[] y, int o) {
        float d = Half.toFloat(b.getShort(at));
        float min = Half.toFloat(b.getShort(at + 2));
        int scales = at + 4;
        int qs = at + 16;
        for (int j = 0, is = 0; j < QK_K; j += 64, is += 2) {
            float d1 = d * scaleK4(b, scales, is);
            float m1 = min * minK4(b, scales, is);
            float d2 = d * scaleK4(b, scales, is + 1);
            float m2 = min * minK4(b, scales, is + 1);
            for (int l = 0; l < 32; l++) {
                int q = b.get(qs + l) & 0xFF;
                y[o + j + l] = d1 * (q & 0x0F) - m1;
                y[o + j + l + 32] = d2 * (q >>> 4) - m2;
            }
            qs += 32;
        }
    }

    /** get_scale_min_k4's scale: 8 six-bit scales, the upper two bits of 4..7 stored in bytes 0..3. */
    private static int scaleK4(ByteBuffer b, int scales, int j) {
        if (j < 4) {
            return b.get(scales + j) & 63;
        }
        return (b.get(scales + j + 4) & 0x0F) | (((b.get(scales + j - 4) & 0xFF) >>> 6) << 4);
    }

    /** get_scale_min_k4's min: the upper two bits of mins 4..7 are stored in bytes 4..7. */
    private static int minK4(ByteBuffer b, int scales, int j) {
        if (j < 4) {
            return b.get(scales + j + 4) & 63;
        }
        return ((b.get(scales + j + 4) & 0xFF) >>> 4) | (((b.get(scales + j) & 0xFF) >>> 6) << 4);
    }

    /**
     * block_q6_K: 128 bytes ql (low 4 bits), 64 bytes qh (high 2 bits), 16 int8 scales, f16 d. Each
     * half of 128 weights takes 64 ql, 32 qh and 8 scales; value = d * scale * (q - 32).
     */
    private static void q6_K(ByteBuffer b, int at, float[] y, int o) {
        float d = Half.toFloat(b.getShort(at + 208));
        int ql = at;
        int qh = at + 128;
        int sc = at + 192;
        for (int n = 0; n < QK_K; n += 128) {
            for (int l = 0; l < 32; l++) {
                int is = l / 16;
                int low0 = b.get(ql + l) & 0xFF;
                int low32 = b.get(ql + l + 32) & 0xFF;
                int high = b.get(qh + l) & 0xFF;
                int q1 = ((low0 & 0x0F) | ((high & 3) << 4)) - 32;
                int q2 = ((low32 & 0x0F) | (((high >>> 2) & 3) << 4)) - 32;
                int q3 = ((low0 >>> 4) | (((high >>> 4) & 3) << 4)) - 32;
                int q4 = ((low32 >>> 4) | (((high >>> 6) & 3) << 4)) - 32;
                y[o + n + l] = d * b.get(sc + is) * q1;
                y[o + n + l + 32] = d * b.get(sc + is + 2) * q2;
                y[o + n + l + 64] = d * b.get(sc + is + 4) * q3;
                y[o + n + l + 96] = d * b.get(sc + is + 6) * q4;
            }
            ql += 64;
            qh += 32;
            sc += 8;
        }
    }
}
