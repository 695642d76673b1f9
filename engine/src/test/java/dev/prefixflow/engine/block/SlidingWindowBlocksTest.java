package dev.prefixflow.engine.block;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The block manager on a model whose every layer attends through a sliding window. */
class SlidingWindowBlocksTest {

    private static final int BLOCK = 4;

    private static int[] tokens(int from, int count) {
        return IntStream.range(from, from + count).toArray();
    }

    private static BlockHashes hashes(int[] tokens) {
        BlockHashes hashes = new BlockHashes(BLOCK, null);
        hashes.extend(tokens, tokens.length);
        return hashes;
    }

    /** Allocates, computes the prompt in one chunk and releases what falls out of the window. */
    private static BlockTable prefill(BlockManager manager, long seqId, int[] prompt) {
        BlockTable table = manager.allocate(seqId, hashes(prompt), prompt.length, BlockSource.NONE, prompt.length);
        manager.markComputed(table, prompt.length);
        manager.releaseOutOfWindow(table);
        return table;
    }

    @Test
    void releasesABlockOnceTheNextQueryCannotSeeItsLastPosition() {
        // Window 6: the query at p sees p-5..p, so block 0 (positions 0..3) is needed up to p = 8.
        BlockManager manager = new BlockManager(8, BLOCK, false, 6, EvictionListener.NONE);
        int[] prompt = tokens(0, 12);
        BlockTable table = manager.allocate(1, hashes(prompt), prompt.length, BlockSource.NONE, prompt.length);
        int block0 = table.blockId(0);
        manager.markComputed(table, 8);
        assertEquals(0, manager.numOutOfWindowBlocks(table), "the query at 8 sees position 3");
        manager.markComputed(table, 9);
        assertEquals(1, manager.numOutOfWindowBlocks(table), "the query at 9 sees 4..9");
        int usedBefore = manager.numUsedBlocks();

        assertEquals(1, manager.releaseOutOfWindow(table));

        assertEquals(BlockTable.NULL_BLOCK, table.blockId(0));
        assertEquals(1, table.numNullBlocks());
        assertEquals(3, table.numBlocks(), "positions keep their blocks");
        assertEquals(usedBefore - 1, manager.numUsedBlocks());
        assertEquals(1, manager.windowReleasedBlocks());
        // Without prefix caching the block is free, and the next fresh block is that one.
        assertTrue(manager.appendSlots(table, 4));
        assertEquals(block0, table.blockId(3));
        assertEquals(0, manager.releaseOutOfWindow(table), "nothing more until the window moves on");
        manager.free(table);
        assertEquals(0, manager.numUsedBlocks(), "freeing skips the null entries and releases the rest");
        assertEquals(manager.numBlocks(), manager.numFreeBlocks());
    }

    @Test
    void aSequenceLongerThanThePoolRunsTokenByToken() {
        // Window 6, blocks of 4: a decode holds at most ceil((3 + 5 + 1) / 4) = 3 blocks.
        BlockManager manager = new BlockManager(3, BLOCK, true, 6, EvictionListener.NONE);
        int[] sequence = tokens(0, 41);
        BlockHashes hashes = hashes(new int[] {0});
        BlockTable table = manager.allocate(1, hashes, 1, BlockSource.NONE, 1);
        int maxUsed = manager.numUsedBlocks();
        for (int length = 1; length < sequence.length; length++) {
            manager.markComputed(table, length);
            hashes.extend(sequence, length + 1);
            manager.releaseOutOfWindow(table);
            assertTrue(manager.appendSlots(table, 1), "slot for position " + length);
            maxUsed = Math.max(maxUsed, manager.numUsedBlocks());
        }
        manager.markComputed(table, sequence.length);
        manager.releaseOutOfWindow(table);
        assertEquals(11, table.numBlocks(), "41 positions in blocks of 4");
        assertEquals(3, maxUsed);
        assertEquals(9, table.numNullBlocks(), "the query at 41 sees 36..41, from block 9");
    }

    @Test
    void aWindowedTableSlotsOnlyTheFirstChunk() {
        BlockManager manager = new BlockManager(4, BLOCK, false, 6, EvictionListener.NONE);
        int[] prompt = tokens(0, 40);
        BlockHashes hashes = hashes(prompt);
        assertFalse(manager.canAllocate(hashes, prompt.length, BlockSource.NONE), "10 blocks in a pool of 4");
        assertTrue(manager.canAllocate(hashes, prompt.length, BlockSource.NONE, 8));

        BlockTable table = manager.allocate(1, hashes, prompt.length, BlockSource.NONE, 8);

        assertEquals(8, table.numTokens());
        assertEquals(2, table.numBlocks());
        // Chunk after chunk of 8, releasing as the window moves: never more than 4 blocks.
        for (int computed = 8; computed < prompt.length; computed += 8) {
            manager.markComputed(table, computed);
            manager.releaseOutOfWindow(table);
            assertTrue(manager.appendSlots(table, 8), "chunk from " + computed);
        }
        manager.markComputed(table, prompt.length);
        assertEquals(prompt.length, table.computedTokens());
    }

    @Test
    void aPrefixHitNeedsOnlyTheBlocksItsFirstQuerySees() {
        // Window 5, blocks of 4: a hit of k blocks is computed on from 4k, whose query sees 4k-4..4k:
        // only block k-1 must be in the pool; the hash chain vouches for the tokens before it.
        BlockManager manager = new BlockManager(4, BLOCK, true, 5, EvictionListener.NONE);
        int[] prompt = tokens(0, 13);
        BlockHashes chain = hashes(prompt);
        BlockTable a = prefill(manager, 1, prompt);
        assertEquals(2, a.numNullBlocks(), "the query at 13 sees 9..13: blocks 0 and 1 are released");
        int block2 = a.blockId(2);
        manager.free(a);
        // Another prompt takes the free block and evicts the least recently used cached ones: 1 and 0.
        manager.free(prefill(manager, 2, tokens(100, 9)));
        assertFalse(manager.isCached(chain.get(0)));
        assertFalse(manager.isCached(chain.get(1)));
        assertTrue(manager.isCached(chain.get(2)));

        int[] longer = tokens(0, 14);
        BlockTable b = manager.allocate(3, hashes(longer), longer.length, BlockSource.NONE, longer.length);

        assertEquals(12, b.cachedTokens());
        assertEquals(2, b.numNullBlocks());
        assertEquals(block2, b.blockId(2));
        assertEquals(12, b.computedTokens());
        assertEquals(4, b.numBlocks());
    }

    @Test
    void aPrefixHitIsTheLongestWhoseWindowBlocksAreAllThere() {
        // Window 9, blocks of 4: a hit of k blocks needs blocks k-2 and k-1. The blocks come from a
        // source (the evicted-block tier), which the pool swaps in.
        BlockManager manager = new BlockManager(8, BLOCK, true, 9, EvictionListener.NONE);
        int[] prompt = tokens(0, 20);
        BlockHashes chain = hashes(prompt);

        // Blocks 0, 1 and 3 but not 2: 4 blocks need 2 and 3, 3 need 1 and 2, 2 need 0 and 1.
        assertEquals(8, manager.lookupCachedPrefix(chain, prompt.length, new SetSource(chain, 0, 1, 3)));
        // Blocks 2 and 3 only: a hit of 4 blocks, with two swap-ins and two null entries.
        SetSource tail = new SetSource(chain, 2, 3);
        BlockTable table = manager.allocate(1, chain, prompt.length, tail, prompt.length);
        assertEquals(16, table.cachedTokens());
        assertEquals(8, table.tierTokens());
        assertEquals(2, table.numNullBlocks());
        assertEquals(2, tail.filled);
        assertEquals(3, manager.numUsedBlocks(), "blocks 2 and 3 swapped in, block 4 for the last token");
        // Without a window the same source gives nothing: block 0 is missing.
        BlockManager full = new BlockManager(8, BLOCK, true);
        assertEquals(0, full.lookupCachedPrefix(chain, prompt.length, new SetSource(chain, 2, 3)));
    }

    /** A source holding some blocks of a chain. */
    private static final class SetSource implements BlockSource {
        private final Set<BlockHash> hashes = new HashSet<>();
        int filled;

        SetSource(BlockHashes chain, int... indexes) {
            for (int i : indexes) {
                hashes.add(chain.get(i));
            }
        }

        @Override
        public boolean has(BlockHash hash) {
            return hashes.contains(hash);
        }

        @Override
        public void fill(int blockId, BlockHash hash) {
            assertTrue(hashes.contains(hash));
            filled++;
        }
    }

    @Test
    void withoutAWindowNothingIsReleased() {
        BlockManager manager = new BlockManager(16, BLOCK, true, 0, EvictionListener.NONE);
        BlockTable table = prefill(manager, 1, tokens(0, 40));
        assertEquals(0, table.numNullBlocks());
        assertEquals(0, manager.windowReleasedBlocks());
        assertEquals(10, manager.numUsedBlocks());
    }
}
