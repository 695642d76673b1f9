package dev.prefixflow.cpu;

import dev.prefixflow.platform.AttentionMetadata;
import dev.prefixflow.platform.KvPool;
import dev.prefixflow.platform.KvPoolSpec;
import dev.prefixflow.platform.LayerAttention;
import dev.prefixflow.platform.PreparedAttention;
import dev.prefixflow.platform.Tensor;

/**
 * One step's attention in a Llama 3.2 1B shape (16 layers, 32 query heads over 8 KV heads of 64
 * dimensions) over a cache of {@code positions} tokens, for its last {@code queries} tokens: one for a
 * decode step, more for a prefill chunk. Prints milliseconds per step after a warm-up. Usage:
 * AttentionBench [positions] [steps] [queries].
 */
public final class AttentionBench {

    private static final int LAYERS = 16;
    private static final int KV_HEADS = 8;
    private static final int HEADS = 32;
    private static final int HEAD_DIM = 64;
    private static final int BLOCK_SIZE = 16;

    public static void main(String[] args) {
        int positions = args.length > 0 ? Integer.parseInt(args[0]) : 640;
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 400;
        int queries = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        int blocks = (positions + BLOCK_SIZE - 1) / BLOCK_SIZE;
        KvPool pool = new CpuAttentionBackend(CpuThreadPool.shared())
                .allocate(new KvPoolSpec(LAYERS, KV_HEADS, HEAD_DIM, blocks, BLOCK_SIZE));
        int kvDim = KV_HEADS * HEAD_DIM;
        float[] k = RandomTensors.floats(positions * kvDim, 1);
        float[] v = RandomTensors.floats(positions * kvDim, 2);
        int[] slots = new int[positions];
        int[] table = new int[blocks];
        for (int i = 0; i < positions; i++) {
            slots[i] = i;
        }
        for (int b = 0; b < blocks; b++) {
            table[b] = b;
        }
        for (int l = 0; l < LAYERS; l++) {
            OneSequence.write(pool, l, k, v, 0, slots, table, 0);
        }
        Tensor q = OneSequence.rows(RandomTensors.floats(queries * HEADS * HEAD_DIM, 3), 0, queries, HEADS * HEAD_DIM);
        Tensor out = OneSequence.KERNELS.allocate(queries, HEADS * HEAD_DIM);
        int[] querySlots = new int[queries];
        for (int i = 0; i < queries; i++) {
            querySlots[i] = positions - queries + i;
        }
        long timed = 0;
        for (int step = 0; step < steps; step++) {
            long t = System.nanoTime();
            PreparedAttention prepared = pool.prepare(new AttentionMetadata(new int[] {queries},
                    new int[] {positions - queries}, new int[][] {table}, querySlots));
            for (int l = 0; l < LAYERS; l++) {
                pool.attend(l, q, out, HEADS, LayerAttention.full(0.125f), prepared);
            }
            // The first half warms up (C2 compiles the kernels); the second half is measured.
            if (step >= steps / 2) {
                timed += System.nanoTime() - t;
            }
        }
        System.out.printf("threads %d, %d positions, %d queries: %.2f ms per step%n",
                CpuThreadPool.shared().threads(), positions, queries, timed / 1e6 / (steps - steps / 2));
    }
}
