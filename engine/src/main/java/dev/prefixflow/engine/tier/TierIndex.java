package dev.prefixflow.engine.tier;

import dev.prefixflow.engine.block.BlockHash;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * The tier's entries as the subtask knows them in memory, least recently used first: each entry's
 * key (where its bytes live) and size. Bounds the tier to {@code budgetBytes}: adding past it
 * drops the least recently used entries, which the caller then deletes from its store.
 */
public final class TierIndex {

    /** One stored entry: its hash, the key it is stored under, and its size in bytes. */
    public record Entry(BlockHash hash, String key, long bytes) {}

    private final long budgetBytes;
    private final LinkedHashMap<BlockHash, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
    private long bytes;

    public TierIndex(long budgetBytes) {
        if (budgetBytes <= 0) {
            throw new IllegalArgumentException("the tier's budget must be positive: " + budgetBytes);
        }
        this.budgetBytes = budgetBytes;
    }

    /** The entry, marked as just used; null if absent. */
    public Entry use(BlockHash hash) {
        return entries.get(hash);
    }

    /**
     * Adds (or replaces) an entry as the most recently used one; returns the entries dropped to
     * stay within the budget (the new entry itself, if it alone is larger than the budget).
     */
    public List<Entry> add(BlockHash hash, String key, long size) {
        remove(hash);
        entries.put(hash, new Entry(hash, key, size));
        bytes += size;
        List<Entry> dropped = new ArrayList<>();
        Iterator<Entry> oldest = entries.values().iterator();
        while (bytes > budgetBytes) {
            Entry e = oldest.next();
            oldest.remove();
            bytes -= e.bytes();
            dropped.add(e);
        }
        return dropped;
    }

    /** Whether the entry is present; unlike {@link #use} it does not count as a use. */
    public boolean contains(BlockHash hash) {
        return entries.containsKey(hash);
    }

    public void remove(BlockHash hash) {
        Entry e = entries.remove(hash);
        if (e != null) {
            bytes -= e.bytes();
        }
    }

    public int size() {
        return entries.size();
    }

    public long bytes() {
        return bytes;
    }

    public long budgetBytes() {
        return budgetBytes;
    }

    /** A copy of the entries, least recently used first. */
    public List<Entry> entries() {
        return new ArrayList<>(entries.values());
    }
}
