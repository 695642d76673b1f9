package dev.prefixflow.engine.block;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random allocate / prefill chunk / decode / free on a small pool where prompts share prefixes,
 * checking after every operation that no block is double-owned and that every computed token's
 * slot still holds that token in a simulated KV pool (so shared or evicted blocks were never
 * overwritten under a sequence that reads them), that block tables only grow at the end, and that
 * the pool never keeps two idle copies of one block. With a sliding window (every layer's), sequences
 * are slotted chunk by chunk and release what falls out of the window before each step; then only
 * released entries may change (to null), and the positions the next query sees must be live.
 */
class BlockManagerStressTest {

    private static final int BLOCK = 4;
    private static final int POOL = 40;

    /** A live sequence: its table, all its tokens (prompt, then generated) and their block hashes. */
    private record Live(BlockTable table, int promptLength, List<Integer> tokens, BlockHashes hashes,
                        List<Integer> seenBlockIds) {
        void add(int token) {
            tokens.add(token);
            hashes.extend(tokens.stream().mapToInt(Integer::intValue).toArray(), tokens.size());
        }
    }

    private final Random random = new Random(10128);
    private int window;
    private BlockManager manager;
    /** What each pool slot holds: the token whose KV was written there. */
    private final int[] kvPool = new int[POOL * BLOCK];
    private final List<Live> live = new ArrayList<>();
    private final int[][] templates = {randomTokens(24), randomTokens(24), randomTokens(24)};
    private long nextSeqId;

    @ParameterizedTest
    @ValueSource(ints = {0, 7})
    void randomWorkloadKeepsOwnershipAndContentConsistent(int window) {
        this.window = window;
        manager = new BlockManager(POOL, BLOCK, true, window, EvictionListener.NONE);
        int hits = 0;
        for (int op = 0; op < 20_000; op++) {
            int choice = random.nextInt(10);
            if (choice < 3) {
                hits += admit();
            } else if (choice < 9 && !live.isEmpty()) {
                step(live.get(random.nextInt(live.size())));
            } else if (!live.isEmpty()) {
                manager.free(live.remove(random.nextInt(live.size())).table());
            }
            checkInvariants();
        }
        // The workload must exercise the cache, or the checks above prove little.
        assertTrue(hits > 100, "cache hits: " + hits);
        assertTrue(manager.prefixCacheHitTokens() > 0);
        assertTrue(window == 0 || manager.windowReleasedBlocks() > 100, "released: " + manager.windowReleasedBlocks());
    }

    private int admit() {
        int[] template = templates[random.nextInt(templates.length)];
        int shared = random.nextInt(template.length + 1);
        int[] prompt = Arrays.copyOf(template, shared + 1 + random.nextInt(10));
        for (int i = shared; i < prompt.length; i++) {
            prompt[i] = random.nextInt(5);
        }
        long seqId = nextSeqId++;
        BlockHashes hashes = new BlockHashes(BLOCK, null);
        hashes.extend(prompt, prompt.length);
        int budget = 1 + random.nextInt(8);
        if (!manager.canAllocate(hashes, prompt.length, BlockSource.NONE, budget)) {
            assertThrows(IllegalStateException.class,
                    () -> manager.allocate(seqId, hashes, prompt.length, BlockSource.NONE, budget));
            return 0;
        }
        BlockTable table = manager.allocate(seqId, hashes, prompt.length, BlockSource.NONE, budget);
        List<Integer> tokens = new ArrayList<>();
        Arrays.stream(prompt).forEach(tokens::add);
        live.add(new Live(table, prompt.length, tokens, hashes, new ArrayList<>()));
        return table.cachedTokens() > 0 ? 1 : 0;
    }

    /** A prefill chunk while the prompt is not computed, else one decode token. */
    private void step(Live seq) {
        BlockTable table = seq.table();
        manager.releaseOutOfWindow(table);
        int from = table.computedTokens();
        int count;
        if (from < seq.promptLength()) {
            count = Math.min(1 + random.nextInt(6), seq.promptLength() - from);
            // A windowed table is slotted chunk by chunk.
            if (from + count > table.numTokens() && !manager.appendSlots(table, from + count - table.numTokens())) {
                return;
            }
        } else {
            if (!manager.appendSlots(table, 1)) {
                return;
            }
            seq.add(random.nextInt(5));
            count = 1;
        }
        int[] slots = manager.slotMapping(table, from, count);
        for (int i = 0; i < count; i++) {
            assertEquals(1, manager.refCount(slots[i] / BLOCK), "writing into a shared block");
            kvPool[slots[i]] = seq.tokens().get(from + i);
        }
        manager.markComputed(table, from + count);
    }

    private void checkInvariants() {
        int[] holders = new int[POOL];
        for (Live seq : live) {
            BlockTable table = seq.table();
            assertEquals((table.numTokens() + BLOCK - 1) / BLOCK, table.numBlocks());
            assertTrue(window == 0 || table.numNullBlocks() * BLOCK <= Math.max(0, table.computedTokens() - window + 1),
                    "released a block the next query sees");
            for (int i = 0; i < table.numBlocks(); i++) {
                int blockId = table.blockId(i);
                boolean released = i < table.numNullBlocks();
                assertEquals(released, blockId == BlockTable.NULL_BLOCK, "entry " + i + " of " + table.numNullBlocks()
                        + " released");
                if (i >= seq.seenBlockIds().size()) {
                    seq.seenBlockIds().add(blockId);
                } else if (!released) {
                    assertEquals(seq.seenBlockIds().get(i).intValue(), blockId, "block table changed, not appended");
                }
                if (released) {
                    continue;
                }
                holders[blockId]++;
                BlockHash cached = manager.cachedHash(blockId);
                if (cached != null) {
                    assertEquals(cached, table.blockHash(i), "cached block at the wrong place in a chain");
                }
            }
            for (int position = table.numNullBlocks() * BLOCK; position < table.computedTokens(); position++) {
                int slot = table.blockId(position / BLOCK) * BLOCK + position % BLOCK;
                assertEquals(seq.tokens().get(position).intValue(), kvPool[slot],
                        "sequence " + table.seqId() + " position " + position);
            }
        }
        int used = 0;
        int evictable = 0;
        int cachedBlocks = 0;
        Set<BlockHash> evictableHashes = new HashSet<>();
        for (int blockId = 0; blockId < POOL; blockId++) {
            if (manager.cachedHash(blockId) != null) {
                cachedBlocks++;
            }
            assertEquals(holders[blockId], manager.refCount(blockId), "refcount of block " + blockId);
            if (holders[blockId] > 1) {
                assertNotNull(manager.cachedHash(blockId), "uncached block " + blockId + " shared");
            }
            if (holders[blockId] > 0) {
                used++;
            } else if (manager.cachedHash(blockId) != null) {
                evictable++;
                assertTrue(evictableHashes.add(manager.cachedHash(blockId)), "two idle copies of a block");
            }
        }
        assertEquals(used, manager.numUsedBlocks());
        assertEquals(evictable, manager.numEvictableBlocks());
        assertEquals(cachedBlocks, manager.numCachedBlocks());
        assertEquals(POOL, manager.numFreeBlocks() + manager.numEvictableBlocks() + manager.numUsedBlocks());
    }

    private int[] randomTokens(int count) {
        return random.ints(count, 0, 5).toArray();
    }
}
