package dev.prefixflow.gguf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Scalar dequantization of ggml rows, following ggml-quants.c; the reference the kernels are tested against. */
public final class Dequantize {

    private Dequantize() {
    }

    /** Writes the {@code t.cols()} weights of row {@code row} of {@code t} to out[off ...]. */
    public static void row(TensorData t, int row, float[] out, int off) {
        GgmlType type = t.type();
        int cols = t.cols();
        ByteBuffer b = t.data().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int base = Math.toIntExact(type.byteSize((long) row * cols));
        int blocks = cols / type.blockSize();
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
                    out[off + i] = Float.intBitsToFloat((b.getShort(base + 2 * i) & 0xFFFF) << 16);
                }
            }
            case Q8_0 -> {
                for (int k = 0; k < blocks; k++) {
                    int p = base + k * 34;
                    float d = Half.toFloat(b.getShort(p));
                    for (int j = 0; j < 32; j++) {
                        out[off + k * 32 + j] = b.get(p + 2 + j) * d;
                    }
                }
            }
            case Q4_0 -> {
                for (int k = 0; k < blocks; k++) {
                    int p = base + k * 18;
                    float d = Half.toFloat(b.getShort(p));
                    for (int j = 0; j < 16; j++) {
                        int q = b.get(p + 2 + j) & 0xFF;
                        out[off + k * 32 + j] = ((q & 0x0F) - 8) * d;
                        out[off + k * 32 + j + 16] = ((q >> 4) - 8) * d;
                    }
                }
            }
            case Q4_K -> {
                for (int k = 0; k < blocks; k++) {
                    q4k(b, base + k * 144, out, off + k * 256);
                }
            }
            case Q6_K -> {
                for (int k = 0; k < blocks; k++) {
                    q6k(b, base + k * 210, out, off + k * 256);
                }
            }
            default -> throw new IllegalArgumentException("Cannot dequantize tensor " + t.name() + " of type " + type);
        }
    }

    private static void q4k(ByteBuffer b, int p, float[] out, int o) {
        float d = Half.toFloat(b.getShort(p));
        float min = Half.toFloat(b.getShort(p + 2));
        int scales = p + 4;
        int q = p + 16;
        int is = 0;
        for (int j = 0; j < 256; j += 64) {
            float d1 = d * scale(b, scales, is);
            float m1 = min * min(b, scales, is);
            float d2 = d * scale(b, scales, is + 1);
            float m2 = min * min(b, scales, is + 1);
            for (int l = 0; l < 32; l++) {
                out[o + j + l] = d1 * (b.get(q + l) & 0x0F) - m1;
            }
            for (int l = 0; l < 32; l++) {
                out[o + j + 32 + l] = d2 * ((b.get(q + l) & 0xFF) >> 4) - m2;
            }
            q += 32;
            is += 2;
        }
    }

    // ggml's get_scale_min_k4, split into its two outputs.
    private static int scale(ByteBuffer b, int s, int j) {
        return j < 4 ? (b.get(s + j) & 63)
                : (b.get(s + j + 4) & 0x0F) | (((b.get(s + j - 4) & 0xFF) >> 6) << 4);
    }

    private static int min(ByteBuffer b, int s, int j) {
        return j < 4 ? (b.get(s + j + 4) & 63)
                : ((b.get(s + j + 4) & 0xFF) >> 4) | (((b.get(s + j) & 0xFF) >> 6) << 4);
    }

    private static void q6k(ByteBuffer b, int p, float[] out, int o) {
        float d = Half.toFloat(b.getShort(p + 208));
        int ql = p;
        int qh = p + 128;
        int sc = p + 192;
        for (int n = 0; n < 256; n += 128) {
            for (int l = 0; l < 32; l++) {
                int is = l / 16;
                int h = b.get(qh + l) & 0xFF;
                int q1 = ((b.get(ql + l) & 0x0F) | (((h >> 0) & 3) << 4)) - 32;
                int q2 = ((b.get(ql + l + 32) & 0x0F) | (((h >> 2) & 3) << 4)) - 32;
                int q3 = (((b.get(ql + l) & 0xFF) >> 4) | (((h >> 4) & 3) << 4)) - 32;
                int q4 = (((b.get(ql + l + 32) & 0xFF) >> 4) | (((h >> 6) & 3) << 4)) - 32;
                out[o + n + l] = d * b.get(sc + is) * q1;
                out[o + n + l + 32] = d * b.get(sc + is + 2) * q2;
                out[o + n + l + 64] = d * b.get(sc + is + 4) * q3;
                out[o + n + l + 96] = d * b.get(sc + is + 6) * q4;
            }
            ql += 64;
            qh += 32;
            sc += 8;
        }
    }
}
