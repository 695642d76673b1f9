package dev.prefixflow.engine.block;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PrefixKeyTest {

    private static final int[] PROMPT = IntStream.range(0, 100).toArray(); // 6 full blocks of 16

    @Test
    void isTheHashAtTheRoutingDepth() {
        List<BlockHash> chain = BlockHasher.hashes(PROMPT, 16, null);
        assertEquals(chain.get(1), PrefixKey.of(PROMPT, 16, 32, null));
        // 40 tokens round down to 2 blocks.
        assertEquals(chain.get(1), PrefixKey.of(PROMPT, 16, 40, null));
        assertEquals(chain.get(3), PrefixKey.of(PROMPT, 16, 64, null));
    }

    @Test
    void promptsSharingTheRoutingPrefixShareTheKey() {
        int[] other = PROMPT.clone();
        other[60] = -1;
        assertEquals(PrefixKey.of(PROMPT, 16, 48, null), PrefixKey.of(other, 16, 48, null));
        assertNotEquals(PrefixKey.of(PROMPT, 16, 64, null), PrefixKey.of(other, 16, 64, null));
    }

    @Test
    void extraKeySeparatesRoutes() {
        assertNotEquals(PrefixKey.of(PROMPT, 16, 32, null), PrefixKey.of(PROMPT, 16, 32, "lora-a"));
    }

    @Test
    void shorterPromptUsesItsLastFullBlock() {
        List<BlockHash> chain = BlockHasher.hashes(PROMPT, 16, null);
        assertEquals(chain.get(5), PrefixKey.of(PROMPT, 16, 1024, null));
    }

    @Test
    void promptShorterThanABlockHashesAllItsTokens() {
        int[] shortPrompt = {5, 6, 7};
        BlockHash key = PrefixKey.of(shortPrompt, 16, 64, "x");
        assertEquals(BlockHasher.hashBlock(BlockHasher.ROOT, shortPrompt, 0, 3, "x"), key);
        assertNotEquals(key, PrefixKey.of(new int[] {5, 6}, 16, 64, "x"));
        assertNotEquals(key, PrefixKey.of(shortPrompt, 16, 64, null));
    }

    @Test
    void dependsOnlyOnTheRoutingPrefix() {
        int[] longer = Arrays.copyOf(PROMPT, 5000);
        assertEquals(PrefixKey.of(PROMPT, 16, 64, null), PrefixKey.of(longer, 16, 64, null));
    }

    @Test
    void rejectsRoutingPrefixShorterThanABlock() {
        assertThrows(IllegalArgumentException.class, () -> PrefixKey.of(PROMPT, 16, 15, null));
    }
}
