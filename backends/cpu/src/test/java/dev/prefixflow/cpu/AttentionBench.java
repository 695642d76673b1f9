package dev.prefixflow.cpu;

import dev.prefixflow.platform.AttentionMetadata;
import dev.prefixflow.platform.KvPool;
import dev.prefixflow.platform.KvPoolSpec;
import dev.prefixflow.platform.LayerAttention;
import dev.prefixflow.platform.PreparedAttention;
import dev.prefixflow.platform.Tensor;

/**
 * One decode step's attention in a Llama 3.2 1B shape (16 layers, 32 query heads over 8 KV heads
 * of 64 dimensions) over a cache of {@code positions} tokens. Prints milliseconds per token after a
 * warm-up. Usage: AttentionBench [positions] [steps].
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
        Tensor q = OneSequence.rows(RandomTensors.floats(HEADS * HEAD_DIM, 3), 0, 1, HEADS * HEAD_DIM);
        Tensor out = OneSequence.KERNELS.allocate(1, HEADS * HEAD_DIM);
        long timed = 0;
        for (int step = 0; step < steps; step++) {
            long t = System.nanoTime();
            PreparedAttention decode = pool.prepare(new AttentionMetadata(new int[] {1}, new int[] {positions - 1},
                    new int[][] {table}, new int[] {positions - 1}));
            for (int l = 0; l < LAYERS; l++) {
                pool.attend(l, q, out, HEADS, LayerAttention.full(0.125f), decode);
            }
            // The first half warms up (C2 compiles the kernels); the second half is measured.
            if (step >= steps / 2) {
                timed += System.nanoTime() - t;
            }
        }
        System.out.printf("threads %d, %d positions: %.2f ms per token%n", CpuThreadPool.shared().threads(),
                positions, timed / 1e6 / (steps - steps / 2));
    }
}
