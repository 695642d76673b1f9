package dev.prefixflow.engine.block;

/**
 * Told when a cached block is evicted, before its slots are reused, so that its KV data can be
 * saved elsewhere (the RocksDB-backed evicted-block tier).
 */
@FunctionalInterface
public interface EvictionListener {

    EvictionListener NONE = (blockId, hash, prefixTokens) -> {};

    void onEvict(int blockId, BlockHash hash, int prefixTokens);
}
