package dev.prefixflow.engine.tier;

import dev.prefixflow.engine.block.BlockHash;

/**
 * Where a {@link StoredBlockTier} keeps its encoded entries: a map in memory, or Flink keyed
 * MapState under the entry's key. Deletes may be deferred like writes, but a read must see every
 * earlier write and delete.
 */
public interface TierStore {

    /** The entry, or null. */
    byte[] read(String key, BlockHash hash);

    void write(String key, BlockHash hash, byte[] entry);

    void delete(String key, BlockHash hash);
}
