package dev.prefixflow.engine.block;

import java.util.Random;

/**
 * Block hashes per second for 16-token blocks, chained, with and without an extra key. Not a
 * test; run like {@link EvictorBench}, with this class name.
 */
public final class BlockHasherBench {

    private static final int BLOCK_SIZE = 16;
    private static final int BLOCKS = 1_000_000;
    /** Keeps the hash chain from being optimized away. */
    private static volatile BlockHash sink;

    private BlockHasherBench() {}

    public static void main(String[] args) {
        int[] tokens = new Random(1).ints(BLOCK_SIZE * BLOCKS, 0, 128_000).toArray();
        for (int warmup = 0; warmup < 2; warmup++) {
            run(tokens, null);
        }
        System.out.printf("SHA-256/128, %d-token blocks, no extra key: %,.0f blocks/s%n", BLOCK_SIZE, run(tokens, null));
        System.out.printf("SHA-256/128, %d-token blocks, LoRA name:    %,.0f blocks/s%n", BLOCK_SIZE,
                run(tokens, "sql-adapter-v3"));
    }

    private static double run(int[] tokens, String extraKey) {
        long start = System.nanoTime();
        BlockHash parent = BlockHasher.ROOT;
        for (int block = 0; block < BLOCKS; block++) {
            parent = BlockHasher.hashBlock(parent, tokens, block * BLOCK_SIZE, BLOCK_SIZE, extraKey);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        sink = parent;
        return BLOCKS / seconds;
    }
}
