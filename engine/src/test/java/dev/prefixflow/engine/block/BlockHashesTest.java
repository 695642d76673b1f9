package dev.prefixflow.engine.block;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BlockHashesTest {

    private static final int BLOCK = 16;
    private static final int[] TOKENS = new Random(3).ints(70, 0, 32_000).toArray(); // 4 full blocks, 6 left

    private static List<BlockHash> all(BlockHashes hashes) {
        List<BlockHash> list = new ArrayList<>();
        for (int i = 0; i < hashes.size(); i++) {
            list.add(hashes.get(i));
        }
        return list;
    }

    @Test
    void extendingTokenByTokenGivesTheChainOfTheWholeList() {
        BlockHashes hashes = new BlockHashes(BLOCK, "lora-a");
        for (int length = 0; length <= TOKENS.length; length++) {
            hashes.extend(TOKENS, length);
            assertEquals(length / BLOCK, hashes.size());
        }
        assertEquals(BlockHasher.hashes(TOKENS, BLOCK, "lora-a"), all(hashes));
    }

    @Test
    void blocksHashedOnceAreNotHashedAgain() {
        int[] tokens = TOKENS.clone();
        BlockHashes hashes = new BlockHashes(BLOCK, null);
        hashes.extend(tokens, 20);
        BlockHash first = hashes.get(0);
        // A token list only grows; changing a hashed block shows that extending does not read it again.
        tokens[0]++;
        hashes.extend(tokens, tokens.length);
        assertEquals(first, hashes.get(0));
        assertEquals(BlockHasher.hashes(TOKENS, BLOCK, null).subList(0, 1), all(hashes).subList(0, 1));
        assertEquals(BlockHasher.hashBlock(first, tokens, BLOCK, BLOCK, null), hashes.get(1));
    }

    @Test
    void outOfRangeIsAnError() {
        BlockHashes hashes = new BlockHashes(BLOCK, null);
        hashes.extend(TOKENS, 40);
        assertThrows(IndexOutOfBoundsException.class, () -> hashes.get(2));
        assertThrows(IndexOutOfBoundsException.class, () -> hashes.extend(TOKENS, TOKENS.length + 1));
        assertThrows(IllegalArgumentException.class, () -> new BlockHashes(0, null));
    }
}
