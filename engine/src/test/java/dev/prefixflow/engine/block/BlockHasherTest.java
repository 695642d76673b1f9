package dev.prefixflow.engine.block;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BlockHasherTest {

    private static final int[] TOKENS = IntStream.range(100, 150).toArray(); // 3 full blocks of 16, 2 left over

    @Test
    void hashesOnlyFullBlocks() {
        assertEquals(3, BlockHasher.hashes(TOKENS, 16, null).size());
        assertEquals(0, BlockHasher.hashes(new int[15], 16, null).size());
    }

    @Test
    void sameTokensAndParentGiveSameHash() {
        BlockHash parent = new BlockHash(7, 9);
        assertEquals(BlockHasher.hashBlock(parent, TOKENS, 16, 16, "lora-a"),
                BlockHasher.hashBlock(parent, TOKENS.clone(), 16, 16, "lora-a"));
    }

    @Test
    void differentParentOrTokensOrExtraKeyGiveDifferentHash() {
        BlockHash base = BlockHasher.hashBlock(BlockHasher.ROOT, TOKENS, 0, 16, null);
        assertNotEquals(base, BlockHasher.hashBlock(new BlockHash(0, 1), TOKENS, 0, 16, null));
        assertNotEquals(base, BlockHasher.hashBlock(BlockHasher.ROOT, TOKENS, 1, 16, null));
        assertNotEquals(base, BlockHasher.hashBlock(BlockHasher.ROOT, TOKENS, 0, 16, "lora-a"));
        assertNotEquals(BlockHasher.hashBlock(BlockHasher.ROOT, TOKENS, 0, 16, "lora-a"),
                BlockHasher.hashBlock(BlockHasher.ROOT, TOKENS, 0, 16, "lora-b"));
        // An empty adapter name is not the same as none.
        assertNotEquals(base, BlockHasher.hashBlock(BlockHasher.ROOT, TOKENS, 0, 16, ""));
    }

    @Test
    void chainFollowsParents() {
        List<BlockHash> chain = BlockHasher.hashes(TOKENS, 16, "x");
        assertEquals(BlockHasher.hashBlock(BlockHasher.ROOT, TOKENS, 0, 16, "x"), chain.get(0));
        assertEquals(BlockHasher.hashBlock(chain.get(0), TOKENS, 16, 16, "x"), chain.get(1));
        assertEquals(BlockHasher.hashBlock(chain.get(1), TOKENS, 32, 16, "x"), chain.get(2));
    }

    @Test
    void equalBlocksAfterDifferentPrefixesDiffer() {
        int[] a = IntStream.range(0, 32).map(i -> i < 16 ? 1 : 5).toArray();
        int[] b = IntStream.range(0, 32).map(i -> i < 16 ? 2 : 5).toArray();
        assertNotEquals(BlockHasher.hashes(a, 16, null).get(1), BlockHasher.hashes(b, 16, null).get(1));
    }

    @Test
    void sharedPrefixGivesSharedLeadingHashes() {
        int[] longer = IntStream.range(100, 180).toArray();
        assertEquals(BlockHasher.hashes(TOKENS, 16, null), BlockHasher.hashes(longer, 16, null).subList(0, 3));
    }

    @Test
    void tokenCountIsPartOfTheHash() {
        // Without the count, [1, 2] and [1, 2, 0] could share an encoding under some schemes.
        assertNotEquals(BlockHasher.hashBlock(BlockHasher.ROOT, new int[] {1, 2}, 0, 2, null),
                BlockHasher.hashBlock(BlockHasher.ROOT, new int[] {1, 2, 0}, 0, 3, null));
    }

    @Test
    void manyDistinctBlocksGiveDistinctHashes() {
        Set<BlockHash> seen = new HashSet<>();
        int[] block = new int[16];
        for (int i = 0; i < 20_000; i++) {
            block[0] = i;
            seen.add(BlockHasher.hashBlock(BlockHasher.ROOT, block, 0, 16, null));
        }
        assertEquals(20_000, seen.size());
    }
}
