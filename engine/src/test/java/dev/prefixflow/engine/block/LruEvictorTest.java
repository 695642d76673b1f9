package dev.prefixflow.engine.block;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LruEvictorTest {

    private static BlockHash hashOf(int blockId) {
        return new BlockHash(blockId, ~blockId);
    }

    @Test
    void evictsLeastRecentlyUsedFirst() {
        LruEvictor evictor = new LruEvictor(10);
        evictor.add(3, hashOf(3), 30, 16);
        evictor.add(1, hashOf(1), 10, 16);
        evictor.add(2, hashOf(2), 20, 16);
        assertEquals(new EvictedBlock(1, hashOf(1), 16), evictor.evict());
        assertEquals(2, evictor.evict().blockId());
        assertEquals(3, evictor.evict().blockId());
        assertEquals(0, evictor.size());
    }

    @Test
    void amongEqualTimesEvictsDeepestFirstThenLowestId() {
        LruEvictor evictor = new LruEvictor(10);
        evictor.add(0, hashOf(0), 5, 16);
        evictor.add(1, hashOf(1), 5, 48);
        evictor.add(2, hashOf(2), 5, 32);
        evictor.add(4, hashOf(4), 5, 48);
        evictor.add(3, hashOf(3), 4, 16);
        assertEquals(3, evictor.evict().blockId());
        assertEquals(1, evictor.evict().blockId());
        assertEquals(4, evictor.evict().blockId());
        assertEquals(2, evictor.evict().blockId());
        assertEquals(0, evictor.evict().blockId());
    }

    @Test
    void removedBlockIsNeverEvicted() {
        LruEvictor evictor = new LruEvictor(4);
        evictor.add(0, hashOf(0), 1, 16);
        evictor.add(1, hashOf(1), 2, 16);
        assertTrue(evictor.remove(0));
        assertFalse(evictor.remove(0));
        assertFalse(evictor.contains(0));
        assertEquals(1, evictor.evict().blockId());
        assertThrows(NoSuchElementException.class, evictor::evict);
    }

    @Test
    void rejectsAddingABlockTwice() {
        LruEvictor evictor = new LruEvictor(4);
        evictor.add(2, hashOf(2), 1, 16);
        assertThrows(IllegalArgumentException.class, () -> evictor.add(2, hashOf(2), 3, 16));
    }

    @Test
    void agreesWithLinearScanOnRandomOperations() {
        int capacity = 500;
        Random random = new Random(7209);
        LruEvictor evictor = new LruEvictor(capacity);
        LinearScanEvictor oracle = new LinearScanEvictor();
        List<Integer> outside = new ArrayList<>();
        for (int i = 0; i < capacity; i++) {
            outside.add(i);
        }
        long clock = 0;
        for (int op = 0; op < 10_000; op++) {
            int choice = random.nextInt(10);
            if (choice < 5 && !outside.isEmpty()) {
                int blockId = outside.remove(random.nextInt(outside.size()));
                // Mostly newer times, sometimes older ones, with many ties.
                long lastAccess = random.nextInt(8) == 0 ? random.nextInt((int) clock + 1) : clock;
                if (random.nextBoolean()) {
                    clock++;
                }
                int prefixTokens = 16 * (1 + random.nextInt(6));
                evictor.add(blockId, hashOf(blockId), lastAccess, prefixTokens);
                oracle.add(blockId, hashOf(blockId), lastAccess, prefixTokens);
            } else if (choice < 7) {
                int blockId = random.nextInt(capacity);
                boolean present = oracle.remove(blockId);
                assertEquals(present, evictor.remove(blockId), "remove " + blockId + " at op " + op);
                if (present) {
                    outside.add(blockId);
                }
            } else if (oracle.size() > 0) {
                EvictedBlock expected = oracle.evict();
                assertEquals(expected, evictor.evict(), "evict at op " + op);
                outside.add(expected.blockId());
            }
            assertEquals(oracle.size(), evictor.size());
        }
        while (oracle.size() > 0) {
            assertEquals(oracle.evict(), evictor.evict());
        }
    }
}
