package dev.prefixflow.engine.tier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.prefixflow.engine.block.BlockHash;
import dev.prefixflow.platform.KvPoolSpec;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The tier's encoding, byte budget and rejection of entries it must not use. */
class StoredBlockTierTest {
    static final KvPoolSpec SHAPE = new KvPoolSpec(2, 2, 4, 1, 4);
    static final byte[] MODEL_A = fingerprint(1);
    static final byte[] MODEL_B = fingerprint(2);

    @Test
    void entriesRoundTripBitForBit() {
        KvBlockCodec codec = new KvBlockCodec(MODEL_A, SHAPE);
        float[] kv = kv(3);
        kv[0] = -0f;
        kv[1] = Float.NaN;
        kv[2] = Float.MIN_VALUE;
        byte[] entry = codec.encode(kv);
        assertEquals(KvBlockCodec.HEADER_BYTES + SHAPE.floatsPerBlock() * 4, entry.length);
        float[] back = codec.decode(entry);
        for (int i = 0; i < kv.length; i++) {
            assertEquals(Float.floatToRawIntBits(kv[i]), Float.floatToRawIntBits(back[i]), "float " + i);
        }
    }

    @Test
    void cutStaleOrForeignEntriesDecodeToNull() {
        KvBlockCodec codec = new KvBlockCodec(MODEL_A, SHAPE);
        byte[] entry = codec.encode(kv(4));
        assertNull(codec.decode(Arrays.copyOf(entry, entry.length - 1)), "cut");
        assertNull(codec.decode(Arrays.copyOf(entry, entry.length + 4)), "padded");
        assertNull(new KvBlockCodec(MODEL_B, SHAPE).decode(entry), "another model");
        assertNull(new KvBlockCodec(MODEL_A, new KvPoolSpec(4, 2, 4, 1, 2)).decode(entry), "another shape, same size");
        byte[] oldVersion = entry.clone();
        oldVersion[7]++;
        assertNull(codec.decode(oldVersion), "another format version");
    }

    @Test
    void budgetDropsLeastRecentlyUsedEntries() {
        InMemoryTierStore store = new InMemoryTierStore();
        KvBlockCodec codec = new KvBlockCodec(MODEL_A, SHAPE);
        StoredBlockTier tier = new StoredBlockTier(codec, 3L * codec.entryBytes(), store);
        for (int i = 0; i < 3; i++) {
            tier.put("k", hash(i), kv(i));
        }
        tier.get(hash(0)); // 1 is now the least recently used
        tier.put("k", hash(3), kv(3));
        assertNull(tier.get(hash(1)));
        assertNull(store.read("k", hash(1)), "a dropped entry is deleted from the store");
        assertArrayEquals(kv(0), tier.get(hash(0)));
        assertArrayEquals(kv(3), tier.get(hash(3)));
        StoredBlockTier.Stats s = tier.stats();
        assertEquals(3, s.entries());
        assertEquals(3L * codec.entryBytes(), s.bytes());
        assertEquals(1, s.dropped());
        assertEquals(4, s.writes());
    }

    @Test
    void anotherModelsEntriesAreNeverUsed() {
        InMemoryTierStore store = new InMemoryTierStore();
        KvBlockCodec a = new KvBlockCodec(MODEL_A, SHAPE);
        new StoredBlockTier(a, 10L * a.entryBytes(), store).put("k", hash(7), kv(7));
        // A tier for model B rebuilt over the same store (as after a restore with another model file).
        StoredBlockTier b = new StoredBlockTier(new KvBlockCodec(MODEL_B, SHAPE), 10L * a.entryBytes(), store);
        b.restore("k", hash(7), a.entryBytes());
        assertNull(b.get(hash(7)));
        assertEquals(1, b.stats().rejected());
        assertEquals(0, b.stats().entries());
        assertNull(store.read("k", hash(7)), "the unusable entry is deleted");
    }

    @Test
    void reEvictingAStoredBlockMovesItToTheNewUsersKey() {
        InMemoryKeyedStore store = new InMemoryKeyedStore();
        KvBlockCodec codec = new KvBlockCodec(MODEL_A, SHAPE);
        StoredBlockTier tier = new StoredBlockTier(codec, 10L * codec.entryBytes(), store);
        tier.put("old", hash(5), kv(5));
        tier.put("old", hash(5), kv(5));
        assertEquals(1, tier.stats().writes(), "same key: already stored");
        tier.put("new", hash(5), kv(5));
        assertNull(store.read("old", hash(5)));
        assertArrayEquals(kv(5), tier.get(hash(5)));
        assertEquals(1, tier.stats().entries());
    }

    /** A store that, like keyed state, keeps each key's entries apart. */
    static final class InMemoryKeyedStore implements TierStore {
        private final java.util.Map<String, InMemoryTierStore> byKey = new java.util.HashMap<>();

        @Override
        public byte[] read(String key, BlockHash hash) {
            InMemoryTierStore s = byKey.get(key);
            return s == null ? null : s.read(key, hash);
        }

        @Override
        public void write(String key, BlockHash hash, byte[] entry) {
            byKey.computeIfAbsent(key, k -> new InMemoryTierStore()).write(key, hash, entry);
        }

        @Override
        public void delete(String key, BlockHash hash) {
            InMemoryTierStore s = byKey.get(key);
            if (s != null) {
                s.delete(key, hash);
            }
        }
    }

    static float[] kv(int seed) {
        Random r = new Random(seed);
        float[] kv = new float[SHAPE.floatsPerBlock()];
        for (int i = 0; i < kv.length; i++) {
            kv[i] = (float) r.nextGaussian();
        }
        return kv;
    }

    static BlockHash hash(int i) {
        return new BlockHash(i, ~i);
    }

    static byte[] fingerprint(int seed) {
        byte[] f = new byte[ModelFingerprint.BYTES];
        new Random(seed).nextBytes(f);
        return f;
    }
}
