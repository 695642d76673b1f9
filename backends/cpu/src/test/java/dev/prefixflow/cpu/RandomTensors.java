package dev.prefixflow.cpu;

import dev.prefixflow.gguf.GgmlType;
import dev.prefixflow.gguf.TensorData;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;

/** Random but valid ggml tensors: random quants, finite half scales of moderate size. */
final class RandomTensors {

    private RandomTensors() {
    }

    static TensorData matrix(GgmlType type, int rows, int cols, long seed) {
        Random rnd = new Random(seed);
        int size = Math.toIntExact(type.byteSize((long) rows * cols));
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        int blocks = Math.toIntExact((long) rows * cols / type.blockSize());
        for (int k = 0; k < blocks; k++) {
            switch (type) {
                case F32 -> b.putFloat(rnd.nextFloat() * 2 - 1);
                // Exponent fields 0..20 include subnormals and values up to 32.
                case F16 -> b.putShort((short) ((rnd.nextInt(2) << 15) | (rnd.nextInt(21) << 10) | rnd.nextInt(1024)));
                case BF16 -> b.putShort((short) ((rnd.nextInt(2) << 15) | ((120 + rnd.nextInt(10)) << 7)
                        | rnd.nextInt(128)));
                case Q8_0, Q4_0 -> {
                    b.putShort(smallHalf(rnd));
                    randomBytes(b, rnd, type.typeSize() - 2);
                }
                case Q4_K -> {
                    b.putShort(smallHalf(rnd));
                    b.putShort(smallHalf(rnd));
                    randomBytes(b, rnd, 12 + 128);
                }
                case Q6_K -> {
                    randomBytes(b, rnd, 128 + 64 + 16);
                    b.putShort(smallHalf(rnd));
                }
                default -> throw new IllegalArgumentException("No generator for " + type);
            }
        }
        b.flip();
        return new TensorData(type + "-" + rows + "x" + cols, type, new long[] {cols, rows}, b);
    }

    static float[] floats(int n, long seed) {
        Random rnd = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = rnd.nextFloat() * 2 - 1;
        }
        return x;
    }

    /** A positive half between 2^-7 and 2^-6 (about 0.01), sign-exponent field 8. */
    private static short smallHalf(Random rnd) {
        return (short) ((8 << 10) | rnd.nextInt(1024));
    }

    private static void randomBytes(ByteBuffer b, Random rnd, int count) {
        byte[] bytes = new byte[count];
        rnd.nextBytes(bytes);
        b.put(bytes);
    }
}
