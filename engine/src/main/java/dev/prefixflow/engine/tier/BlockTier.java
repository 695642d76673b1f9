package dev.prefixflow.engine.tier;

import dev.prefixflow.engine.block.BlockHash;

/**
 * The evicted-block tier: KV data of cached blocks the pool had to give up, kept by hash so that a
 * later request can swap them back in instead of recomputing them. The engine calls {@link #put}
 * inside a step (when the evictor reuses a block) and {@link #get} only when a request is added,
 * never inside a step; an implementation backed by Flink keyed state relies on that.
 */
public interface BlockTier {

    /** No tier: evicted blocks are dropped. */
    BlockTier NONE = new BlockTier() {
        @Override
        public float[] get(BlockHash hash) {
            return null;
        }

        @Override
        public void put(String key, BlockHash hash, float[] kv) {
        }

        @Override
        public boolean contains(BlockHash hash) {
            return false;
        }
    };

    /** The block's KV ({@code KvPoolSpec.floatsPerBlock()} floats), or null when absent or unusable. */
    float[] get(BlockHash hash);

    /**
     * Keeps an evicted block's KV. {@code key} is the tier key (the Flink routing key) of the last
     * request that used the block, or null outside Flink. {@code kv} is reused by the caller: copy
     * or encode it before returning.
     */
    void put(String key, BlockHash hash, float[] kv);

    /** Whether an entry for the block is kept (not checked for usability; no recency change). */
    boolean contains(BlockHash hash);
}
