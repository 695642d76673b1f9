package dev.prefixflow.engine.block;

import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * vLLM's evictor before PR 7209: evict scans every entry. The benchmark baseline, and the test
 * oracle for {@link LruEvictor}, so it spells the order out on its own.
 */
final class LinearScanEvictor implements Evictor {

    private record Entry(int blockId, BlockHash hash, long lastAccess, int prefixTokens) {}

    private static final Comparator<Entry> EVICTION_ORDER = Comparator.comparingLong(Entry::lastAccess)
            .thenComparing(Comparator.comparingInt(Entry::prefixTokens).reversed())
            .thenComparingInt(Entry::blockId);

    private final Map<Integer, Entry> entries = new HashMap<>();

    @Override
    public void add(int blockId, BlockHash hash, long lastAccess, int prefixTokens) {
        if (entries.putIfAbsent(blockId, new Entry(blockId, hash, lastAccess, prefixTokens)) != null) {
            throw new IllegalArgumentException("block " + blockId + " is already evictable");
        }
    }

    @Override
    public boolean remove(int blockId) {
        return entries.remove(blockId) != null;
    }

    @Override
    public EvictedBlock evict() {
        Entry first = null;
        for (Entry entry : entries.values()) {
            if (first == null || EVICTION_ORDER.compare(entry, first) < 0) {
                first = entry;
            }
        }
        if (first == null) {
            throw new NoSuchElementException("no evictable block");
        }
        entries.remove(first.blockId());
        return new EvictedBlock(first.blockId(), first.hash(), first.prefixTokens());
    }

    @Override
    public boolean contains(int blockId) {
        return entries.containsKey(blockId);
    }

    @Override
    public int size() {
        return entries.size();
    }
}
