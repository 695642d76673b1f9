package dev.prefixflow.model.synthetic;

import dev.prefixflow.gguf.GgmlType;
import dev.prefixflow.gguf.GgufWriter.TensorContent;
import dev.prefixflow.gguf.Half;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

/**
 * Random but valid tensor bytes in a ggml type, streamed in chunks so a multi-GB tensor never sits in
 * memory. Weights come out roughly zero-mean with standard deviation {@link #STD} (uniform quants under
 * per-block scales), so activations of a model built from them stay finite. The bytes depend only on
 * the seed, the tensor's name and its size.
 */
final class RandomWeights {

    /** The standard deviation aimed for, as in freshly initialised transformers. */
    static final double STD = 0.02;

    private static final int CHUNK_BYTES = 1 << 20;

    // Standard deviations of uniform integers: int8 (-128..127), 4-bit (0..15), 6-bit (0..63).
    private static final double STD_INT8 = Math.sqrt((256.0 * 256 - 1) / 12);
    private static final double STD_4BIT = Math.sqrt((16.0 * 16 - 1) / 12);
    private static final double STD_6BIT = Math.sqrt((64.0 * 64 - 1) / 12);
    // Mean sub-block scales (middle of the ranges drawn below) of Q4_K (32..63) and Q6_K (64..127).
    private static final double Q4_K_SCALE = 47.5;
    private static final double Q6_K_SCALE = 95.5;

    private RandomWeights() {
    }

    /** Content for a tensor of {@code elements} weights (a whole number of blocks of {@code type}). */
    static TensorContent content(GgmlType type, long elements, long seed, String name) {
        long blocks = elements / type.blockSize();
        int blocksPerChunk = Math.max(1, CHUNK_BYTES / type.typeSize());
        return out -> {
            SplittableRandom random = new SplittableRandom(seed ^ (0x9E37_79B9_7F4A_7C15L * name.hashCode()));
            ByteBuffer chunk = ByteBuffer.allocate(blocksPerChunk * type.typeSize()).order(ByteOrder.LITTLE_ENDIAN);
            for (long done = 0; done < blocks; ) {
                int n = (int) Math.min(blocksPerChunk, blocks - done);
                chunk.clear();
                for (int i = 0; i < n; i++) {
                    block(type, chunk, random);
                }
                chunk.flip();
                while (chunk.hasRemaining()) {
                    out.write(chunk);
                }
                done += n;
            }
        };
    }

    /** Appends one block of {@code type} at the buffer's position. */
    private static void block(GgmlType type, ByteBuffer b, SplittableRandom r) {
        switch (type) {
            case F32 -> b.putFloat((float) uniform(r));
            case F16 -> b.putShort(Half.fromFloat((float) uniform(r)));
            case Q8_0 -> {
                b.putShort(scale(r, STD / STD_INT8));
                randomBytes(b, r, 32);
            }
            case Q4_0 -> {
                b.putShort(scale(r, STD / STD_4BIT));
                randomBytes(b, r, 16);
            }
            case Q4_K -> q4K(b, r);
            case Q6_K -> {
                randomBytes(b, r, 128 + 64);
                for (int i = 0; i < 16; i++) {
                    b.put((byte) (64 + r.nextInt(64)));
                }
                b.putShort(scale(r, STD / (STD_6BIT * Q6_K_SCALE)));
            }
            default -> throw new IllegalArgumentException("cannot generate " + type + " weights");
        }
    }

    /**
     * block_q4_K: weight = d * sc * q - dmin * m with q in 0..15. Each sub-block's min equals its scale
     * and dmin = 7.5 d, so a weight is d * sc * (q - 7.5): centred on zero.
     */
    private static void q4K(ByteBuffer b, SplittableRandom r) {
        short d = scale(r, STD / (STD_4BIT * Q4_K_SCALE));
        b.putShort(d);
        b.putShort(Half.fromFloat(7.5f * Half.toFloat(d)));
        byte[] packed = new byte[12];
        for (int j = 0; j < 8; j++) {
            int sc = 32 + r.nextInt(32);
            // get_scale_min_k4's packing: 6-bit scales and mins, the top two bits of 4..7 in bytes 0..7.
            if (j < 4) {
                packed[j] = (byte) sc;
                packed[j + 4] = (byte) sc;
            } else {
                packed[j + 4] = (byte) ((sc & 0x0F) | ((sc & 0x0F) << 4));
                packed[j - 4] |= (byte) ((sc >>> 4) << 6);
                packed[j] |= (byte) ((sc >>> 4) << 6);
            }
        }
        b.put(packed);
        randomBytes(b, r, 128);
    }

    /** A half scale within 25% of {@code mean}, so blocks differ as in real quantized files. */
    private static short scale(SplittableRandom r, double mean) {
        return Half.fromFloat((float) (mean * (0.75 + 0.5 * r.nextDouble())));
    }

    /** Uniform on [-a, a) with standard deviation {@link #STD}. */
    private static double uniform(SplittableRandom r) {
        return (2 * r.nextDouble() - 1) * STD * Math.sqrt(3);
    }

    /** {@code n} random bytes; n is a multiple of 8 for every block field this fills. */
    private static void randomBytes(ByteBuffer b, SplittableRandom r, int n) {
        for (int i = 0; i < n; i += 8) {
            b.putLong(r.nextLong());
        }
    }
}
