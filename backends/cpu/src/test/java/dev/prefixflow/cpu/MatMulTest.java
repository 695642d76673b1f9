package dev.prefixflow.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefixflow.gguf.Dequantize;
import dev.prefixflow.gguf.GgmlType;
import dev.prefixflow.gguf.TensorData;
import dev.prefixflow.platform.Weight;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class MatMulTest {

    // Three threads on any machine, so that rows are split into several chunks.
    private static final CpuKernels KERNELS = new CpuKernels(new CpuThreadPool(3));
    private static final int[] TOKEN_COUNTS = {1, 3, 4, 5, 17};

    static Stream<Arguments> shapes() {
        return Stream.of(
                Arguments.of(GgmlType.F32, 37, 100), Arguments.of(GgmlType.F32, 130, 256),
                Arguments.of(GgmlType.F32, 3, 7), Arguments.of(GgmlType.F32, 5, 1),
                Arguments.of(GgmlType.F16, 37, 100), Arguments.of(GgmlType.F16, 130, 256),
                Arguments.of(GgmlType.F16, 37, 64),
                Arguments.of(GgmlType.BF16, 37, 33), Arguments.of(GgmlType.BF16, 130, 256),
                Arguments.of(GgmlType.BF16, 37, 64),
                Arguments.of(GgmlType.Q8_0, 37, 96), Arguments.of(GgmlType.Q8_0, 130, 512),
                Arguments.of(GgmlType.Q8_0, 1, 32),
                Arguments.of(GgmlType.Q4_0, 37, 96), Arguments.of(GgmlType.Q4_0, 130, 512),
                Arguments.of(GgmlType.Q4_0, 2, 32),
                Arguments.of(GgmlType.Q4_K, 37, 256), Arguments.of(GgmlType.Q4_K, 130, 512),
                Arguments.of(GgmlType.Q6_K, 37, 256), Arguments.of(GgmlType.Q6_K, 130, 512));
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void matchesDoubleReferenceOnDequantizedWeights(GgmlType type, int rows, int cols) {
        TensorData t = RandomTensors.matrix(type, rows, cols, 31L * rows + cols);
        Weight w = KERNELS.upload(t);
        float[][] deq = dequantized(t);
        for (int n : TOKEN_COUNTS) {
            float[] x = RandomTensors.floats(n * cols, n);
            float[] out = new float[n * rows];
            KERNELS.matmul(w, x, out, n);
            for (int tok = 0; tok < n; tok++) {
                for (int r = 0; r < rows; r++) {
                    double ref = 0;
                    double abs = 0;
                    for (int c = 0; c < cols; c++) {
                        double p = (double) deq[r][c] * x[tok * cols + c];
                        ref += p;
                        abs += Math.abs(p);
                    }
                    float got = out[tok * rows + r];
                    String where = type + " row " + r + " token " + tok + ": " + got + " vs " + ref;
                    assertTrue(Math.abs(got - ref) <= 1e-5 * abs, where);
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void tokenResultDoesNotDependOnBatch(GgmlType type, int rows, int cols) {
        Weight w = KERNELS.upload(RandomTensors.matrix(type, rows, cols, 7L * rows + cols));
        int n = 17;
        float[] x = RandomTensors.floats(n * cols, 99);
        float[] batched = new float[n * rows];
        KERNELS.matmul(w, x, batched, n);
        for (int tok = 0; tok < n; tok++) {
            float[] single = new float[rows];
            KERNELS.matmul(w, Arrays.copyOfRange(x, tok * cols, (tok + 1) * cols), single, 1);
            assertArrayEquals(bits(single), bits(Arrays.copyOfRange(batched, tok * rows, (tok + 1) * rows)),
                    type + " token " + tok);
        }
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void panelsAndTokenBlocksDoNotChangeResults(GgmlType type, int rows, int cols) {
        // The default keeps these 17 tokens in cache and decodes one row group at a time; here panels
        // of two or three row groups are decoded and the tokens pass them in blocks of four or eight.
        MatMul blocked = new MatMul(new CpuThreadPool(3), 12 * cols * Float.BYTES, 8 * cols * Float.BYTES);
        CpuWeight w = (CpuWeight) KERNELS.upload(RandomTensors.matrix(type, rows, cols, 3L * rows + cols));
        int n = 17;
        float[] x = RandomTensors.floats(n * cols, 17);
        float[] whole = new float[n * rows];
        float[] inBlocks = new float[n * rows];
        KERNELS.matmul(w, x, whole, n);
        blocked.run(w, x, inBlocks, n);
        assertArrayEquals(bits(whole), bits(inBlocks), type.toString());
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void dequantizeRowEqualsScalarDequantizer(GgmlType type, int rows, int cols) {
        TensorData t = RandomTensors.matrix(type, rows, cols, 5L * rows + cols);
        Weight w = KERNELS.upload(t);
        float[][] deq = dequantized(t);
        for (int r = 0; r < rows; r++) {
            float[] got = new float[cols + 3];
            KERNELS.dequantizeRow(w, r, got, 3);
            assertArrayEquals(bits(deq[r]), bits(Arrays.copyOfRange(got, 3, cols + 3)), type + " row " + r);
        }
    }

    @Test
    void specialHalfValuesDecodeExactly() {
        short[] halves = {0x0000, (short) 0x8000, 0x0001, (short) 0x83FF, 0x3C00, 0x7BFF, 0x7C00, (short) 0xFC00,
            0x0400, (short) 0xC000, 0x3555, 0x2E66, 0x1234, 0x7000, 0x0200, (short) 0xABCD, 0x4248};
        ByteBuffer b = ByteBuffer.allocate(halves.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (short h : halves) {
            b.putShort(h);
        }
        b.flip();
        TensorData t = new TensorData("halves", GgmlType.F16, new long[] {halves.length, 1}, b);
        float[] got = new float[halves.length];
        KERNELS.dequantizeRow(KERNELS.upload(t), 0, got, 0);
        assertArrayEquals(new float[] {0f, -0f, 0x1p-24f, -0x3FFp-24f, 1f, 65504f, Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY, 0x1p-14f, -2f}, Arrays.copyOf(got, 10));
        float[] ref = new float[halves.length];
        Dequantize.row(t, 0, ref, 0);
        assertArrayEquals(bits(ref), bits(got));
    }

    static Stream<Arguments> specialHalves() {
        short[] f16 = {0x0000, (short) 0x8000, 0x0001, (short) 0x83FF, 0x03FF, 0x0400, (short) 0x8400, 0x7BFF,
            (short) 0xFBFF, 0x3C00, (short) 0xC000, 0x3555, 0x1234, 0x0200, (short) 0xABCD, 0x4248};
        short[] bf16 = {0x0000, (short) 0x8000, 0x0001, (short) 0x807F, 0x0080, (short) 0x8080, 0x7F7F,
            (short) 0xFF7F, 0x3F80, (short) 0xC000, 0x3555, 0x1234, 0x0040, (short) 0xABCD, 0x4248, 0x3E4D};
        return Stream.of(Arguments.of(GgmlType.F16, f16, (short) 0), Arguments.of(GgmlType.F16, f16, (short) 0x7C00),
                Arguments.of(GgmlType.F16, f16, (short) 0x7E01), Arguments.of(GgmlType.BF16, bf16, (short) 0),
                Arguments.of(GgmlType.BF16, bf16, (short) 0x7F80), Arguments.of(GgmlType.BF16, bf16, (short) 0x7FC1));
    }

    /**
     * Rows of 64 halves take the paired layout, converted by shifts: subnormals, signed zeros and the
     * extremes must still decode exactly and multiply as the scalar dequantizer's floats do. With an
     * infinity or a NaN (nonFinite, 0 for none) in the matrix the weight keeps the 16-bit layout,
     * and decodes exactly too.
     */
    @ParameterizedTest
    @MethodSource("specialHalves")
    void pairedHalvesDecodeAndMultiplyExactly(GgmlType type, short[] special, short nonFinite) {
        int rows = 5;
        int cols = 64;
        ByteBuffer b = ByteBuffer.allocate(rows * cols * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < rows * cols; i++) {
            b.putShort(nonFinite != 0 && i == 77 ? nonFinite : special[(i * 7) % special.length]);
        }
        b.flip();
        TensorData t = new TensorData("halves", type, new long[] {cols, rows}, b);
        Weight w = KERNELS.upload(t);
        Class<?> unpaired = type == GgmlType.F16 ? F16Weight.class : Bf16Weight.class;
        assertEquals(nonFinite != 0 ? unpaired : HalfPairWeight.class, w.getClass());
        float[][] deq = dequantized(t);
        for (int r = 0; r < rows; r++) {
            float[] got = new float[cols];
            KERNELS.dequantizeRow(w, r, got, 0);
            assertArrayEquals(bits(deq[r]), bits(got), type + " row " + r);
        }
        float[] x = new float[cols];
        for (int c = 0; c < cols; c++) {
            x[c] = c % 3 == 0 ? 0x1p-10f : 1f / (c + 1);
        }
        float[] out = new float[rows];
        KERNELS.matmul(w, x, out, 1);
        for (int r = 0; r < rows; r++) {
            double ref = 0;
            double abs = 0;
            for (int c = 0; c < cols; c++) {
                ref += (double) deq[r][c] * x[c];
                abs += Math.abs((double) deq[r][c] * x[c]);
            }
            if (Double.isFinite(ref)) {
                assertEquals(ref, out[r], 1e-6 * abs, type + " row " + r);
            } else {
                assertEquals((float) ref, out[r], type + " row " + r);
            }
        }
    }

    @Test
    void unsupportedTypeIsRejectedByName() {
        TensorData t = new TensorData("blk.0.attn_q.weight", GgmlType.Q5_0, new long[] {32, 1},
                ByteBuffer.allocate(22));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KERNELS.upload(t));
        assertTrue(e.getMessage().contains("blk.0.attn_q.weight") && e.getMessage().contains("Q5_0"), e.getMessage());
    }

    @Test
    void uploadKeepsShape() {
        Weight w = KERNELS.upload(RandomTensors.matrix(GgmlType.Q4_K, 3, 512, 1));
        assertEquals(3, w.rows());
        assertEquals(512, w.cols());
        assertEquals(GgmlType.Q4_K, w.type());
    }

    private static float[][] dequantized(TensorData t) {
        float[][] rows = new float[t.rows()][t.cols()];
        for (int r = 0; r < t.rows(); r++) {
            Dequantize.row(t, r, rows[r], 0);
        }
        return rows;
    }

    private static int[] bits(float[] v) {
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = Float.floatToRawIntBits(v[i]);
        }
        return b;
    }
}
