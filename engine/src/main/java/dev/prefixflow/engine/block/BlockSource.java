package dev.prefixflow.engine.block;

/**
 * KV data outside the pool that can fill a cached block instead of computing it: the blocks a
 * request found in the evicted-block tier. {@link BlockManager#allocate} asks it for each block of
 * the prompt's hash chain that the pool does not hold.
 */
public interface BlockSource {

    BlockSource NONE = new BlockSource() {
        @Override
        public boolean has(BlockHash hash) {
            return false;
        }

        @Override
        public void fill(int blockId, BlockHash hash) {
            throw new IllegalStateException("no data for " + hash);
        }
    };

    boolean has(BlockHash hash);

    /** Writes the KV data of {@code hash} into pool block {@code blockId}. */
    void fill(int blockId, BlockHash hash);
}
