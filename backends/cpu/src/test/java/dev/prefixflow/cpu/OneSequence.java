package dev.prefixflow.cpu;

import dev.prefixflow.platform.AttentionMetadata;
import dev.prefixflow.platform.KvPool;
import dev.prefixflow.platform.LayerAttention;
import dev.prefixflow.platform.Tensor;
import java.util.Arrays;

/**
 * Drives a CPU KV pool with host arrays for kernel-level tests and benchmarks: one sequence's chunk
 * of rows at a time, copied to the platform and back.
 */
final class OneSequence {
    static final CpuKernels KERNELS = new CpuKernels(new CpuThreadPool(1));

    private OneSequence() {
    }

    /** Rows from .. from + n of {@code all} ({@code cols} values each) as a tensor. */
    static Tensor rows(float[] all, int from, int n, int cols) {
        return KERNELS.copyIn(Arrays.copyOfRange(all, from * cols, (from + n) * cols), n, cols);
    }

    /** Writes rows rowOffset .. rowOffset + slots.length of k and v into {@code slots}. */
    static void write(KvPool pool, int layer, float[] k, float[] v, int rowOffset, int[] slots, int[] table,
                      int firstPosition) {
        int kvDim = pool.spec().kvDim();
        pool.write(layer, rows(k, rowOffset, slots.length, kvDim), rows(v, rowOffset, slots.length, kvDim),
                pool.prepare(metadata(slots.length, firstPosition, table, slots)));
    }

    /**
     * Attention of n query rows (from rowOffset of q) at positions firstPosition.., written to the
     * same rows of out.
     */
    static void attend(KvPool pool, int layer, float[] q, float[] out, int rowOffset, int n, int heads,
                       int firstPosition, int[] table, float scale) {
        int qDim = heads * pool.spec().headDim();
        Tensor result = KERNELS.allocate(n, qDim);
        pool.attend(layer, rows(q, rowOffset, n, qDim), result, heads, LayerAttention.full(scale),
                pool.prepare(metadata(n, firstPosition, table, new int[n])));
        float[] row = new float[qDim];
        for (int i = 0; i < n; i++) {
            KERNELS.copyOut(result, i, row);
            System.arraycopy(row, 0, out, (rowOffset + i) * qDim, qDim);
        }
    }

    private static AttentionMetadata metadata(int n, int firstPosition, int[] table, int[] slots) {
        return new AttentionMetadata(new int[] {n}, new int[] {firstPosition}, new int[][] {table}, slots);
    }
}
