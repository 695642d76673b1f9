package dev.prefixflow.engine.tier;

import dev.prefixflow.engine.block.BlockHash;
import java.util.HashMap;
import java.util.Map;

/** A {@link TierStore} in a heap map, for engines outside Flink; keys are ignored (one namespace). */
public final class InMemoryTierStore implements TierStore {
    private final Map<BlockHash, byte[]> entries = new HashMap<>();

    @Override
    public byte[] read(String key, BlockHash hash) {
        return entries.get(hash);
    }

    @Override
    public void write(String key, BlockHash hash, byte[] entry) {
        entries.put(hash, entry);
    }

    @Override
    public void delete(String key, BlockHash hash) {
        entries.remove(hash);
    }
}
