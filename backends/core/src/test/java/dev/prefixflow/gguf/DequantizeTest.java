package dev.prefixflow.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefixflow.testing.TestModels;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DequantizeTest {

    private static TensorData tensor(GgmlType type, int cols, int rows, byte[] bytes) {
        return new TensorData("t", type, new long[] {cols, rows},
                ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN));
    }

    @Test
    void q4_0LowNibblesComeFirst() {
        ByteBuffer b = ByteBuffer.allocate(18).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) 0x4000); // d = 2
        for (int j = 0; j < 16; j++) {
            b.put((byte) (j | (15 - j) << 4));
        }
        float[] out = new float[34];
        Dequantize.row(tensor(GgmlType.Q4_0, 32, 1, b.array()), 0, out, 2);
        for (int j = 0; j < 16; j++) {
            assertEquals((j - 8) * 2f, out[2 + j]);
            assertEquals((15 - j - 8) * 2f, out[2 + 16 + j]);
        }
    }

    @Test
    void q8_0SecondRow() {
        ByteBuffer b = ByteBuffer.allocate(68).order(ByteOrder.LITTLE_ENDIAN);
        b.position(34).putShort((short) 0x3800); // row 1: d = 0.5
        for (int j = 0; j < 32; j++) {
            b.put((byte) (j - 16));
        }
        float[] out = new float[32];
        Dequantize.row(tensor(GgmlType.Q8_0, 32, 2, b.array()), 1, out, 0);
        for (int j = 0; j < 32; j++) {
            assertEquals((j - 16) * 0.5f, out[j]);
        }
    }

    @Test
    void halfAndBfloat() {
        float[] out = new float[2];
        Dequantize.row(tensor(GgmlType.F16, 2, 1, new byte[] {0, 0x3C, 0, (byte) 0xC0}), 0, out, 0);
        assertArrayEquals(new float[] {1f, -2f}, out);
        Dequantize.row(tensor(GgmlType.BF16, 2, 1, new byte[] {(byte) 0x80, 0x3F, 0x40, (byte) 0xC0}),
                0, out, 0);
        assertArrayEquals(new float[] {1f, -3f}, out);
    }

    @Test
    void rejectsBadRowsAndTypes() {
        TensorData f32 = tensor(GgmlType.F32, 2, 1, new byte[8]);
        assertThrows(IllegalArgumentException.class, () -> Dequantize.row(f32, 1, new float[2], 0));
        assertThrows(IllegalArgumentException.class, () -> Dequantize.row(f32, 0, new float[2], 1));
        TensorData q5k = tensor(GgmlType.Q5_K, 256, 1, new byte[176]);
        assertThrows(IllegalArgumentException.class, () -> Dequantize.row(q5k, 0, new float[256], 0));
    }

    /**
     * Bounds on the error of each type relative to the tensor's largest weight (max) and to its rms
     * (rms), about 1.5x what the kjv-5m files show. A wrong block layout gives relative rms errors near
     * 1, far above any of these.
     */
    private static double[] bounds(GgmlType type) {
        return switch (type) {
            case F32 -> new double[] {0, 0};
            case F16 -> new double[] {0.001, 0.0005};
            case Q8_0 -> new double[] {0.006, 0.008};
            case Q6_K -> new double[] {0.025, 0.03};
            case Q4_K -> new double[] {0.09, 0.12};
            case Q4_0 -> new double[] {0.15, 0.13};
            default -> throw new IllegalArgumentException(type.toString());
        };
    }

    /**
     * Each quantized kjv-5m model was made from the same weights as the f32 one, so its dequantized
     * rows must be close to the f32 rows. This checks the block layouts against real files.
     */
    @ParameterizedTest
    @ValueSource(strings = {"f16", "q80", "q6k", "q40", "q4km"})
    void quantizedModelsMatchF32(String variant) throws IOException {
        try (GgufFile exact = GgufFile.open(TestModels.path("kjv-5m-f32.gguf"));
             GgufFile quantized = GgufFile.open(TestModels.path("kjv-5m-" + variant + ".gguf"))) {
            for (TensorInfo info : exact.tensors().values()) {
                TensorData a = exact.load(info.name());
                TensorData b = quantized.load(info.name());
                float[] x = new float[a.cols()];
                float[] y = new float[a.cols()];
                double maxAbs = 0;
                double maxDiff = 0;
                double sumSq = 0;
                double sumSqDiff = 0;
                for (int r = 0; r < a.rows(); r++) {
                    Dequantize.row(a, r, x, 0);
                    Dequantize.row(b, r, y, 0);
                    for (int i = 0; i < x.length; i++) {
                        maxAbs = Math.max(maxAbs, Math.abs(x[i]));
                        maxDiff = Math.max(maxDiff, Math.abs(x[i] - y[i]));
                        sumSq += (double) x[i] * x[i];
                        sumSqDiff += (double) (x[i] - y[i]) * (x[i] - y[i]);
                    }
                }
                double rms = Math.sqrt(sumSqDiff / sumSq);
                double[] bound = bounds(b.type());
                String what = variant + " " + b.type() + " " + info.name() + ": max diff " + maxDiff
                        + " of max " + maxAbs + ", relative rms " + rms;
                assertTrue(maxDiff <= bound[0] * maxAbs, what);
                assertTrue(rms <= bound[1], what);
            }
        }
    }
}
