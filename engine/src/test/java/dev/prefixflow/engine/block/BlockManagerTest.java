package dev.prefixflow.engine.block;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BlockManagerTest {

    private static final int BLOCK = 4;

    private static int[] tokens(int from, int count) {
        return IntStream.range(from, from + count).toArray();
    }

    private static BlockHashes hashes(int[] tokens, String extraKey) {
        BlockHashes hashes = new BlockHashes(BLOCK, extraKey);
        hashes.extend(tokens, tokens.length);
        return hashes;
    }

    private static BlockTable allocate(BlockManager manager, long seqId, int[] prompt, String extraKey) {
        return manager.allocate(seqId, hashes(prompt, extraKey), prompt.length, BlockSource.NONE);
    }

    private static int lookup(BlockManager manager, int[] prompt, String extraKey) {
        return manager.lookupCachedPrefix(hashes(prompt, extraKey), prompt.length, BlockSource.NONE);
    }

    private static boolean canAllocate(BlockManager manager, int[] prompt) {
        return manager.canAllocate(hashes(prompt, null), prompt.length, BlockSource.NONE);
    }

    /** Allocates and marks the whole prompt computed, as one prefill step would. */
    private static BlockTable prefill(BlockManager manager, long seqId, int[] prompt) {
        BlockTable table = allocate(manager, seqId, prompt, null);
        manager.markComputed(table, prompt.length);
        return table;
    }

    @Test
    void secondSequenceSharesTheCachedPrefix() {
        BlockManager manager = new BlockManager(16, BLOCK, true);
        int[] first = tokens(0, 10);
        BlockTable a = prefill(manager, 1, first);
        int[] second = {0, 1, 2, 3, 4, 5, 6, 7, 99, 98, 97};

        assertEquals(8, lookup(manager, second, null));
        BlockTable b = allocate(manager, 2, second, null);

        assertEquals(8, b.cachedTokens());
        assertEquals(8, b.computedTokens());
        assertEquals(a.blockId(0), b.blockId(0));
        assertEquals(a.blockId(1), b.blockId(1));
        assertNotEquals(a.blockId(2), b.blockId(2));
        assertEquals(2, manager.refCount(a.blockId(0)));
        assertEquals(1, manager.refCount(a.blockId(2)));
        assertEquals(3 + 1, manager.numUsedBlocks());
    }

    @Test
    void differentExtraKeyDoesNotShare() {
        BlockManager manager = new BlockManager(16, BLOCK, true);
        int[] prompt = tokens(0, 10);
        BlockTable a = allocate(manager, 1, prompt, "lora-a");
        manager.markComputed(a, 10);
        assertEquals(8, lookup(manager, prompt, "lora-a"));
        assertEquals(0, lookup(manager, prompt, "lora-b"));
        assertEquals(0, lookup(manager, prompt, null));
    }

    @Test
    void fullyCachedPromptRecomputesItsLastBlock() {
        BlockManager manager = new BlockManager(16, BLOCK, true);
        int[] prompt = tokens(0, 8);
        prefill(manager, 1, prompt);

        assertEquals(4, lookup(manager, prompt, null));
        assertEquals(8, lookup(manager, tokens(0, 9), null));
        BlockTable again = allocate(manager, 2, prompt, null);
        assertEquals(4, again.cachedTokens());
        assertArrayEquals(new int[] {again.blockId(1) * BLOCK + 3}, manager.slotMapping(again, 7, 1));
    }

    @Test
    void recomputedDuplicateBlockStaysInItsTableAndIsCachedToo() {
        BlockManager manager = new BlockManager(16, BLOCK, true);
        int[] prompt = tokens(0, 8);
        BlockTable a = allocate(manager, 1, prompt, null);
        BlockTable b = allocate(manager, 2, prompt, null);
        int[] bIds = b.blockIds().clone();
        assertNotEquals(a.blockId(0), b.blockId(0));

        manager.markComputed(a, 8);
        manager.markComputed(b, 8);

        assertArrayEquals(bIds, b.blockIds());
        for (int i = 0; i < 2; i++) {
            assertEquals(1, manager.refCount(a.blockId(i)));
            assertEquals(1, manager.refCount(b.blockId(i)));
            assertEquals(manager.cachedHash(a.blockId(i)), manager.cachedHash(b.blockId(i)));
        }
        assertEquals(4, manager.numCachedBlocks());
        // Later lookups find the first copy.
        BlockTable c = allocate(manager, 3, tokens(0, 9), null);
        assertEquals(8, c.cachedTokens());
        assertEquals(a.blockId(0), c.blockId(0));
        assertEquals(a.blockId(1), c.blockId(1));
    }

    @Test
    void idleDuplicateIsFreedSoTheCacheKeepsOneCopy() {
        BlockManager manager = new BlockManager(16, BLOCK, true);
        int[] prompt = tokens(0, 8);
        BlockTable a = allocate(manager, 1, prompt, null);
        BlockTable b = allocate(manager, 2, prompt, null);
        manager.markComputed(a, 8);
        manager.markComputed(b, 8);
        int[] bIds = b.blockIds();

        manager.free(a);
        assertEquals(0, manager.numEvictableBlocks());
        assertEquals(16 - 2, manager.numFreeBlocks());
        assertEquals(2, manager.numCachedBlocks());
        assertEquals(8, lookup(manager, tokens(0, 9), null));

        manager.free(b);
        assertEquals(2, manager.numEvictableBlocks());
        assertEquals(16 - 2, manager.numFreeBlocks());
        assertEquals(2, manager.numCachedBlocks());
        assertNotNull(manager.cachedHash(bIds[0]));
        assertEquals(8, lookup(manager, tokens(0, 9), null));
    }

    @Test
    void idleDuplicateCountsAsAUseOfTheKeptCopy() {
        List<BlockHash> evicted = new ArrayList<>();
        BlockManager manager = new BlockManager(4, BLOCK, true, 0, (blockId, hash, prefixTokens) -> evicted.add(hash));
        int[] prompt = tokens(0, 4);
        int[] other = tokens(100, 4);
        manager.free(prefill(manager, 1, prompt));
        manager.free(prefill(manager, 2, other));
        // Fully cached: the last-token rule recomputes the block, a second copy of the first sequence's.
        BlockTable again = prefill(manager, 3, prompt);
        assertEquals(0, again.cachedTokens());
        assertEquals(3, manager.numCachedBlocks());
        manager.free(again);
        assertEquals(2, manager.numCachedBlocks());

        allocate(manager, 4, tokens(500, 12), null);

        // The kept copy was used after the other sequence's block, so that one goes first.
        assertEquals(List.of(hashes(other, null).get(0)), evicted);
        assertEquals(4, lookup(manager, tokens(0, 5), null));
    }

    @Test
    void evictingACopyWhoseTwinIsHeldKeepsTheHashFindableAndSilent() {
        List<BlockHash> evicted = new ArrayList<>();
        BlockManager manager = new BlockManager(3, BLOCK, true, 0, (blockId, hash, prefixTokens) -> evicted.add(hash));
        int[] prompt = tokens(0, 4);
        BlockTable first = prefill(manager, 1, prompt);
        int firstCopy = first.blockId(0);
        manager.free(first);
        BlockTable again = prefill(manager, 2, prompt);
        int secondCopy = again.blockId(0);
        assertNotEquals(firstCopy, secondCopy);

        BlockTable filler = allocate(manager, 3, tokens(500, 8), null);
        assertEquals(firstCopy, filler.blockId(1));
        assertEquals(List.of(), evicted);
        assertEquals(4, lookup(manager, tokens(0, 5), null));
        assertEquals(1, manager.numCachedBlocks());

        manager.free(again);
        assertEquals(1, manager.numEvictableBlocks());
        manager.free(filler);
        assertEquals(secondCopy, allocate(manager, 4, tokens(0, 5), null).blockId(0));
    }

    @Test
    void blockIdsReadOnceStayValidWhileTheTableGrows() {
        BlockManager manager = new BlockManager(8, BLOCK, true);
        BlockTable table = prefill(manager, 1, tokens(0, 3));
        int[] before = table.blockIds();
        assertTrue(manager.appendSlots(table, 6));
        assertEquals(1, before.length);
        assertEquals(3, table.numBlocks());
        assertEquals(before[0], table.blockIds()[0]);
    }

    @Test
    void hashesMustCoverWhatTheyAreAskedFor() {
        BlockManager manager = new BlockManager(8, BLOCK, true);
        int[] prompt = tokens(0, 4);
        BlockHashes stale = hashes(prompt, null);
        BlockTable table = manager.allocate(1, stale, prompt.length, BlockSource.NONE);
        assertTrue(manager.appendSlots(table, 4));
        IllegalStateException lagging = assertThrows(IllegalStateException.class, () -> manager.markComputed(table, 8));
        assertTrue(lagging.getMessage().contains("hashed only 1"), lagging.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> manager.lookupCachedPrefix(stale, 9, BlockSource.NONE));
        assertThrows(IllegalArgumentException.class,
                () -> manager.lookupCachedPrefix(new BlockHashes(2 * BLOCK, null), 1, BlockSource.NONE));
    }

    @Test
    void blocksAreCachedAsSoonAsTheyAreFullAndComputed() {
        BlockManager manager = new BlockManager(16, BLOCK, true);
        int[] prompt = tokens(0, 13);
        BlockTable a = allocate(manager, 1, prompt, null);

        manager.markComputed(a, 3);
        assertEquals(0, lookup(manager, prompt, null));
        manager.markComputed(a, 6);
        assertEquals(4, lookup(manager, prompt, null));
        manager.markComputed(a, 12);
        assertEquals(12, lookup(manager, prompt, null));

        BlockTable b = allocate(manager, 2, prompt, null);
        assertEquals(12, b.cachedTokens());
        assertEquals(a.blockId(2), b.blockId(2));
        assertNotEquals(a.blockId(3), b.blockId(3));
    }

    @Test
    void partialBlocksArePrivateAndGoStraightBackToFree() {
        BlockManager manager = new BlockManager(8, BLOCK, true);
        int[] prompt = tokens(0, 6);
        BlockTable a = prefill(manager, 1, prompt);
        BlockTable b = prefill(manager, 2, prompt);
        assertEquals(a.blockId(0), b.blockId(0));
        assertNotEquals(a.blockId(1), b.blockId(1));
        assertEquals(1, manager.refCount(a.blockId(1)));

        manager.free(a);
        assertEquals(1, manager.refCount(b.blockId(0)));
        assertEquals(0, manager.numEvictableBlocks());
        assertEquals(8 - 2, manager.numFreeBlocks());
        manager.free(b);
        assertEquals(1, manager.numEvictableBlocks());
        assertEquals(8 - 1, manager.numFreeBlocks());
        assertEquals(1, manager.numCachedBlocks());
        assertEquals(0, manager.numUsedBlocks());
    }

    @Test
    void freedCachedBlocksAreEvictableThenReusedFromTheCache() {
        BlockManager manager = new BlockManager(4, BLOCK, true);
        int[] prompt = tokens(0, 9);
        BlockTable a = prefill(manager, 1, prompt);
        int[] cachedIds = {a.blockId(0), a.blockId(1)};
        manager.free(a);
        assertEquals(2, manager.numEvictableBlocks());
        assertEquals(2, manager.numFreeBlocks());
        assertEquals(0.0, manager.usage());

        BlockTable b = allocate(manager, 2, prompt, null);
        assertEquals(8, b.cachedTokens());
        assertArrayEquals(cachedIds, new int[] {b.blockId(0), b.blockId(1)});
        assertEquals(0, manager.numEvictableBlocks());
        assertEquals(0.75, manager.usage());
    }

    @Test
    void evictionTakesOldestThenDeepestAndTellsTheListener() {
        List<EvictedBlock> evicted = new ArrayList<>();
        BlockManager manager = new BlockManager(4, BLOCK, true, 0,
                (blockId, hash, prefixTokens) -> evicted.add(new EvictedBlock(blockId, hash, prefixTokens)));
        int[] older = tokens(100, 4);
        int[] newer = tokens(0, 12);
        BlockTable old = prefill(manager, 1, older);
        int oldId = old.blockId(0);
        manager.free(old);
        BlockTable a = prefill(manager, 2, newer);
        int[] newerIds = a.blockIds();
        manager.free(a);
        assertEquals(0, manager.numFreeBlocks());
        assertEquals(4, manager.numEvictableBlocks());

        BlockTable b = allocate(manager, 3, tokens(500, 8), null);

        // The older sequence's block first; then, among the newer sequence's blocks freed together, the deepest.
        assertEquals(List.of(
                new EvictedBlock(oldId, BlockHasher.hashes(older, BLOCK, null).get(0), 4),
                new EvictedBlock(newerIds[2], BlockHasher.hashes(newer, BLOCK, null).get(2), 12)), evicted);
        assertEquals(oldId, b.blockId(0));
        assertEquals(newerIds[2], b.blockId(1));
        assertEquals(8, lookup(manager, tokens(0, 13), null));
        assertEquals(0, lookup(manager, tokens(100, 5), null));
    }

    @Test
    void canAllocateCountsCacheHitsLeavingTheEvictor() {
        BlockManager manager = new BlockManager(3, BLOCK, true);
        int[] prompt = tokens(0, 9);
        manager.free(prefill(manager, 1, prompt));
        // 2 evictable hits + 1 free block. 13 tokens need 2 hits + 2 fresh, but taking the hits
        // leaves only the free block to allocate from.
        int[] longer = tokens(0, 13);
        assertFalse(canAllocate(manager, longer));
        assertThrows(IllegalStateException.class, () -> allocate(manager, 2, longer, null));
        assertEquals(2, manager.numEvictableBlocks());
        assertTrue(canAllocate(manager, tokens(0, 12)));
        assertEquals(8, allocate(manager, 3, tokens(0, 12), null).cachedTokens());
    }

    @Test
    void appendSlotsGrowsByBlocksAndFailsWithoutChangeWhenFull() {
        BlockManager manager = new BlockManager(3, BLOCK, true);
        int[] prompt = tokens(0, 7);
        BlockTable table = prefill(manager, 1, prompt);
        assertTrue(manager.appendSlots(table, 1));
        assertEquals(2, table.numBlocks());
        assertTrue(manager.appendSlots(table, 1));
        assertEquals(3, table.numBlocks());
        assertArrayEquals(new int[] {table.blockId(2) * BLOCK}, manager.slotMapping(table, 8, 1));
        assertTrue(manager.appendSlots(table, 3));
        assertFalse(manager.appendSlots(table, 2));
        assertEquals(12, table.numTokens());
        assertEquals(3, table.numBlocks());
    }

    @Test
    void slotMappingFollowsTheBlockTable() {
        BlockManager manager = new BlockManager(8, BLOCK, true);
        allocate(manager, 1, tokens(50, 4), null);
        BlockTable table = allocate(manager, 2, tokens(0, 6), null);
        int b0 = table.blockId(0);
        int b1 = table.blockId(1);
        assertArrayEquals(new int[] {b0 * 4 + 2, b0 * 4 + 3, b1 * 4, b1 * 4 + 1},
                manager.slotMapping(table, 2, 4));
    }

    @Test
    void computedPositionsHaveNoSlotToWrite() {
        BlockManager manager = new BlockManager(8, BLOCK, true);
        BlockTable table = prefill(manager, 1, tokens(0, 6));
        assertThrows(IllegalArgumentException.class, () -> manager.slotMapping(table, 5, 1));
        assertThrows(IllegalArgumentException.class, () -> manager.slotMapping(table, 6, 1));
    }

    @Test
    void hitAccountingCountsAllocatedPrompts() {
        BlockManager manager = new BlockManager(16, BLOCK, true);
        prefill(manager, 1, tokens(0, 10));
        lookup(manager, tokens(0, 10), null);
        assertEquals(10, manager.prefixCacheQueriedTokens());
        assertEquals(0, manager.prefixCacheHitTokens());
        allocate(manager, 2, tokens(0, 10), null);
        assertEquals(20, manager.prefixCacheQueriedTokens());
        assertEquals(8, manager.prefixCacheHitTokens());
    }

    @Test
    void disabledCachingNeverSharesOrCaches() {
        BlockManager manager = new BlockManager(8, BLOCK, false);
        int[] prompt = tokens(0, 9);
        BlockTable a = prefill(manager, 1, prompt);
        assertEquals(0, lookup(manager, prompt, null));
        BlockTable b = prefill(manager, 2, prompt);
        assertEquals(0, b.cachedTokens());
        assertNotEquals(a.blockId(0), b.blockId(0));
        assertEquals(0, manager.numCachedBlocks());
        manager.free(a);
        manager.free(b);
        assertEquals(8, manager.numFreeBlocks());
        assertEquals(0, manager.numEvictableBlocks());
        assertEquals(0, manager.prefixCacheQueriedTokens());
    }

    @Test
    void freedTableCannotBeUsed() {
        BlockManager manager = new BlockManager(8, BLOCK, true);
        BlockTable table = allocate(manager, 1, tokens(0, 5), null);
        manager.free(table);
        assertThrows(IllegalStateException.class, () -> manager.free(table));
        assertThrows(IllegalStateException.class, () -> manager.appendSlots(table, 1));
    }
}
