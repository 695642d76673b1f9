package dev.prefixflow.engine.tier;

import dev.prefixflow.engine.block.BlockHash;
import java.util.List;
import java.util.Objects;

/**
 * A {@link BlockTier} bounded to a byte budget: entries encoded by a {@link KvBlockCodec}, kept in
 * a {@link TierStore}, tracked least recently used first by a {@link TierIndex}. An entry that
 * does not decode (cut bytes, another model, another shape) is deleted and reported as a miss, so
 * the block is recomputed.
 */
public final class StoredBlockTier implements BlockTier {

    /** Counters since start: entries written, hits, misses, unusable entries, entries dropped for room. */
    public record Stats(int entries, long bytes, long writes, long hits, long misses, long rejected, long dropped) {}

    private final KvBlockCodec codec;
    private final TierIndex index;
    private final TierStore store;
    private long writes;
    private long hits;
    private long misses;
    private long rejected;
    private long dropped;

    public StoredBlockTier(KvBlockCodec codec, long budgetBytes, TierStore store) {
        if (budgetBytes < codec.entryBytes()) {
            throw new IllegalArgumentException("a tier of " + budgetBytes + " bytes cannot hold one block ("
                    + codec.entryBytes() + " bytes)");
        }
        this.codec = codec;
        this.index = new TierIndex(budgetBytes);
        this.store = store;
    }

    @Override
    public float[] get(BlockHash hash) {
        TierIndex.Entry e = index.use(hash);
        if (e == null) {
            misses++;
            return null;
        }
        float[] kv = codec.decode(store.read(e.key(), hash));
        if (kv == null) {
            rejected++;
            index.remove(hash);
            store.delete(e.key(), hash);
            return null;
        }
        hits++;
        return kv;
    }

    @Override
    public void put(String key, BlockHash hash, float[] kv) {
        TierIndex.Entry old = index.use(hash);
        if (old != null && Objects.equals(old.key(), key)) {
            // A hash fixes the block's tokens and the model fixes its KV: the stored copy is this one.
            return;
        }
        if (old != null) {
            // Moves to the newest user's key, which is where its traffic is routed now.
            store.delete(old.key(), hash);
        }
        byte[] entry = codec.encode(kv);
        store.write(key, hash, entry);
        writes++;
        deleteDropped(index.add(hash, key, entry.length));
    }

    @Override
    public boolean contains(BlockHash hash) {
        return index.contains(hash);
    }

    /** Registers an entry found in the store after a restore, rebuilding the in-memory index. */
    public void restore(String key, BlockHash hash, long bytes) {
        deleteDropped(index.add(hash, key, bytes));
    }

    private void deleteDropped(List<TierIndex.Entry> entries) {
        for (TierIndex.Entry d : entries) {
            store.delete(d.key(), d.hash());
            dropped++;
        }
    }

    public Stats stats() {
        return new Stats(index.size(), index.bytes(), writes, hits, misses, rejected, dropped);
    }
}
