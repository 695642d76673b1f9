package dev.prefixflow.engine.block;

/**
 * The Flink routing key of a prompt: the block hash at the routing depth, so that prompts sharing
 * their first {@code routingPrefixTokens} tokens (and extra key) reach the same KV cache.
 */
public final class PrefixKey {

    private PrefixKey() {}

    /**
     * The hash of block number {@code floor(routingPrefixTokens / blockSize)} (counting from 1) of
     * the prompt. A prompt with fewer full blocks uses its last full block; a prompt shorter than
     * one block uses a hash of all its tokens, since it can share no block anyway.
     */
    public static BlockHash of(int[] promptTokens, int blockSize, int routingPrefixTokens, String extraKey) {
        BlockHasher.checkBlockSize(blockSize);
        if (routingPrefixTokens < blockSize) {
            throw new IllegalArgumentException(
                    "routing prefix (" + routingPrefixTokens + " tokens) is shorter than a block (" + blockSize + ")");
        }
        int depth = Math.min(routingPrefixTokens / blockSize, promptTokens.length / blockSize);
        if (depth == 0) {
            return BlockHasher.hashBlock(BlockHasher.ROOT, promptTokens, 0, promptTokens.length, extraKey);
        }
        // Hash only up to the routing depth: the rest of a long prompt does not matter here.
        BlockHash hash = BlockHasher.ROOT;
        for (int block = 0; block < depth; block++) {
            hash = BlockHasher.hashBlock(hash, promptTokens, block * blockSize, blockSize, extraKey);
        }
        return hash;
    }
}
