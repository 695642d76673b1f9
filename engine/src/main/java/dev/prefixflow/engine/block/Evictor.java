package dev.prefixflow.engine.block;

/**
 * Holds the evictable cached blocks (cached, and held by no sequence) and picks which one to
 * reuse: the least recently used; among equal last-access times the one with more prefix tokens
 * (the deepest), since a shallower block is shared by more prompts; then the lower block id, so
 * the order is total and reproducible. This is vLLM's order.
 */
public interface Evictor {

    /** Makes a cached block evictable. The block must not already be in this evictor. */
    void add(int blockId, BlockHash hash, long lastAccess, int prefixTokens);

    /** Takes a block back out (a sequence reuses it from the cache); false if it was not here. */
    boolean remove(int blockId);

    /** Removes and returns the next block to reuse; the evictor must not be empty. */
    EvictedBlock evict();

    boolean contains(int blockId);

    int size();
}
