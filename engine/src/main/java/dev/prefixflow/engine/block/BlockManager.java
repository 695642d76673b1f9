package dev.prefixflow.engine.block;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Hands out the KV pool's blocks (ids {@code 0..numBlocks-1}, {@code blockSize} token slots each)
 * to sequences, with vLLM-style automatic prefix caching.
 *
 * <p>A block is in exactly one state: <i>free</i> (holds nothing useful), <i>used</i> (held by one
 * or more sequences; only full, computed, cached blocks are ever held by more than one), or
 * <i>evictable</i> (cached, held by none, in the {@link Evictor}). A full block is registered
 * under its {@link BlockHash} as soon as its KV is computed, so a request arriving while an
 * identical prompt is still in prefill shares what is done so far. When a sequence is freed its
 * cached blocks become evictable, stamped with one logical time per {@link #free} call so that
 * the evictor's deepest-first tie-break decides among them; other blocks become free. Fresh
 * blocks come from the free blocks first, then from the evictor (the {@link EvictionListener}
 * hears of each eviction before the block is reused).
 *
 * <p><b>Swap-in.</b> A {@link BlockSource} (the evicted-block tier) may fill blocks of a prompt's
 * hash chain that the pool misses: each gets a fresh block, is filled, and is cached at once, so it
 * counts as a cache hit ({@link BlockTable#tierTokens()} tells how many tokens came this way).
 *
 * <p><b>Last-token rule.</b> Logits come from computing the prompt's last token, so a cache hit
 * covers at most {@code promptLength - 1} tokens, rounded down to whole blocks: a prompt cached
 * entirely in full blocks recomputes its last block (as vLLM v0.6.5 does).
 *
 * <p>Not thread-safe: one engine loop owns it.
 */
public final class BlockManager {

    private final int numBlocks;
    private final int blockSize;
    private final boolean prefixCaching;
    private final EvictionListener evictionListener;
    private final int[] refCount;
    /** The hash a block is cached under, or null. */
    private final BlockHash[] cachedHash;
    private final int[] prefixTokens;
    private final int[] freeBlocks;
    private int numFree;
    private final Map<BlockHash, Integer> cachedBlocks = new HashMap<>();
    private final Evictor evictor;
    private long clock;
    private long queriedTokens;
    private long hitTokens;

    public BlockManager(int numBlocks, int blockSize, boolean prefixCaching) {
        this(numBlocks, blockSize, prefixCaching, EvictionListener.NONE);
    }

    public BlockManager(int numBlocks, int blockSize, boolean prefixCaching, EvictionListener evictionListener) {
        if (numBlocks <= 0) {
            throw new IllegalArgumentException("the pool needs at least one block: " + numBlocks);
        }
        BlockHasher.checkBlockSize(blockSize);
        this.numBlocks = numBlocks;
        this.blockSize = blockSize;
        this.prefixCaching = prefixCaching;
        this.evictionListener = evictionListener;
        refCount = new int[numBlocks];
        cachedHash = new BlockHash[numBlocks];
        prefixTokens = new int[numBlocks];
        freeBlocks = new int[numBlocks];
        // Stacked so that block 0 is handed out first: easier to read in logs and tests.
        for (int i = 0; i < numBlocks; i++) {
            freeBlocks[i] = numBlocks - 1 - i;
        }
        numFree = numBlocks;
        evictor = new LruEvictor(numBlocks);
    }

    /**
     * How many leading prompt tokens the cache holds now, under the last-token rule. No side
     * effects: the scheduler asks this before admitting a request, to size its token budget.
     */
    public int lookupCachedPrefix(int[] promptTokens, String extraKey) {
        return lookupCachedPrefix(promptTokens, extraKey, BlockSource.NONE);
    }

    /** As {@link #lookupCachedPrefix(int[], String)}, counting blocks {@code source} can fill. */
    public int lookupCachedPrefix(int[] promptTokens, String extraKey, BlockSource source) {
        return findCachedPrefix(promptTokens, extraKey, source).hashes.size() * blockSize;
    }

    /** Whether {@link #allocate} would succeed now for this prompt. */
    public boolean canAllocate(int[] promptTokens, String extraKey) {
        return canAllocate(promptTokens, extraKey, BlockSource.NONE);
    }

    /** Whether {@link #allocate(long, int[], String, BlockSource)} would succeed now. */
    public boolean canAllocate(int[] promptTokens, String extraKey, BlockSource source) {
        CachedPrefix hits = findCachedPrefix(promptTokens, extraKey, source);
        return freshBlocksFor(promptTokens.length, hits) <= available() - hits.evictable;
    }

    /** Whether a block with this hash is in the pool now (held or evictable). */
    public boolean isCached(BlockHash hash) {
        return cachedBlocks.containsKey(hash);
    }

    /**
     * A block table for a new sequence: the longest cached prefix attached (see the last-token
     * rule), fresh blocks for the rest of the prompt.
     *
     * @throws IllegalStateException if the pool is short of blocks ({@link #canAllocate} says so)
     */
    public BlockTable allocate(long seqId, int[] promptTokens, String extraKey) {
        return allocate(seqId, promptTokens, extraKey, BlockSource.NONE);
    }

    /**
     * As {@link #allocate(long, int[], String)}, with the chain's blocks that the pool misses but
     * {@code source} has filled from it (swapped in) and cached.
     */
    public BlockTable allocate(long seqId, int[] promptTokens, String extraKey, BlockSource source) {
        if (promptTokens.length == 0) {
            throw new IllegalArgumentException("a sequence needs at least one prompt token");
        }
        CachedPrefix hits = findCachedPrefix(promptTokens, extraKey, source);
        int fresh = freshBlocksFor(promptTokens.length, hits);
        if (fresh > available() - hits.evictable) {
            throw new IllegalStateException("sequence " + seqId + " needs " + fresh + " fresh blocks, "
                    + (available() - hits.evictable) + " available");
        }
        int hitBlocks = hits.hashes.size();
        BlockTable table = new BlockTable(seqId, extraKey, hitBlocks * blockSize, hits.swapIns * blockSize);
        // Hold the pool's hits before taking any fresh block, so evicting cannot pick one of them.
        for (int blockId : hits.blockIds) {
            if (blockId >= 0) {
                hold(blockId);
            }
        }
        for (int i = 0; i < hitBlocks; i++) {
            int blockId = hits.blockIds.get(i);
            BlockHash hash = hits.hashes.get(i);
            if (blockId < 0) {
                blockId = takeFreshBlock();
                source.fill(blockId, hash);
                register(blockId, hash, i);
            }
            table.addBlock(blockId);
            table.addHash(hash);
        }
        for (int i = hitBlocks; i < blocksFor(promptTokens.length); i++) {
            table.addBlock(takeFreshBlock());
        }
        table.setNumTokens(promptTokens.length);
        if (prefixCaching) {
            queriedTokens += promptTokens.length;
            hitTokens += table.cachedTokens();
        }
        return table;
    }

    /**
     * Makes room for {@code newTokens} more tokens (a decode token, or more). Returns false, and
     * changes nothing, if the pool has too few free or evictable blocks.
     */
    public boolean appendSlots(BlockTable table, int newTokens) {
        checkLive(table);
        if (newTokens < 0) {
            throw new IllegalArgumentException("negative token count: " + newTokens);
        }
        int needed = blocksFor(table.numTokens() + newTokens) - table.numBlocks();
        if (needed > available()) {
            return false;
        }
        for (int i = 0; i < needed; i++) {
            table.addBlock(takeFreshBlock());
        }
        table.setNumTokens(table.numTokens() + newTokens);
        return true;
    }

    /**
     * Pool slots ({@code blockId * blockSize + offset}) for positions {@code from..from+count-1}.
     * Only positions not yet computed: computed KV may be shared and must not be overwritten.
     */
    public int[] slotMapping(BlockTable table, int from, int count) {
        checkLive(table);
        if (from < table.computedTokens() || count < 0 || from + count > table.numTokens()) {
            throw new IllegalArgumentException("positions [" + from + ", " + (from + count) + ") of a sequence with "
                    + table.computedTokens() + " computed and " + table.numTokens() + " slotted tokens");
        }
        int[] slots = new int[count];
        for (int i = 0; i < count; i++) {
            int position = from + i;
            slots[i] = table.blockId(position / blockSize) * blockSize + position % blockSize;
        }
        return slots;
    }

    /**
     * Records that the KV of positions {@code 0..computedUpTo-1} is computed and caches every
     * block that became full. If an identical block is already cached (two sequences computed
     * the same content at once), the sequence switches to the cached block and its own copy is
     * freed, as vLLM does: one copy stays, and the table's block id changes.
     */
    public void markComputed(BlockTable table, int[] allTokens, int computedUpTo) {
        checkLive(table);
        if (computedUpTo < table.computedTokens() || computedUpTo > table.numTokens()
                || computedUpTo > allTokens.length) {
            throw new IllegalArgumentException("cannot mark " + computedUpTo + " tokens computed: "
                    + table.computedTokens() + " computed, " + table.numTokens() + " slotted, "
                    + allTokens.length + " known");
        }
        table.setComputedTokens(computedUpTo);
        if (!prefixCaching) {
            return;
        }
        for (int index = table.numHashedBlocks(); index < computedUpTo / blockSize; index++) {
            BlockHash parent = index == 0 ? BlockHasher.ROOT : table.blockHash(index - 1);
            BlockHash hash = BlockHasher.hashBlock(parent, allTokens, index * blockSize, blockSize, table.extraKey());
            table.addHash(hash);
            cache(table, index, hash);
        }
    }

    /**
     * Releases the sequence's blocks: cached ones no other sequence holds become evictable, the
     * rest become free. The table cannot be used afterwards.
     */
    public void free(BlockTable table) {
        checkLive(table);
        clock++;
        for (int i = 0; i < table.numBlocks(); i++) {
            release(table.blockId(i));
        }
        table.markFreed();
    }

    public int blockSize() {
        return blockSize;
    }

    public int numBlocks() {
        return numBlocks;
    }

    public boolean prefixCachingEnabled() {
        return prefixCaching;
    }

    /** Blocks holding nothing useful. */
    public int numFreeBlocks() {
        return numFree;
    }

    /** Cached blocks no sequence holds: reusable, but findable until evicted. */
    public int numEvictableBlocks() {
        return evictor.size();
    }

    /**
     * Shows {@code visitor} each evictable block as if it were evicted now (nothing changes), so
     * that an eviction listener can save blocks before any eviction.
     */
    public void forEachEvictable(EvictionListener visitor) {
        for (int blockId = 0; blockId < numBlocks; blockId++) {
            if (refCount[blockId] == 0 && cachedHash[blockId] != null) {
                visitor.onEvict(blockId, cachedHash[blockId], prefixTokens[blockId]);
            }
        }
    }

    /** Blocks findable by hash, whether held or evictable. */
    public int numCachedBlocks() {
        return cachedBlocks.size();
    }

    /** Blocks held by at least one sequence. */
    public int numUsedBlocks() {
        return numBlocks - numFree - evictor.size();
    }

    /** Fraction of the pool held by sequences. */
    public double usage() {
        return (double) numUsedBlocks() / numBlocks;
    }

    /** Prompt tokens of all allocations with prefix caching on. */
    public long prefixCacheQueriedTokens() {
        return queriedTokens;
    }

    /** Of {@link #prefixCacheQueriedTokens()}, those found in the cache. */
    public long prefixCacheHitTokens() {
        return hitTokens;
    }

    int refCount(int blockId) {
        return refCount[blockId];
    }

    BlockHash cachedHash(int blockId) {
        return cachedHash[blockId];
    }

    /** The chain's leading blocks found in the pool or, where the pool misses, in {@code source}. */
    private CachedPrefix findCachedPrefix(int[] promptTokens, String extraKey, BlockSource source) {
        CachedPrefix hits = new CachedPrefix();
        if (!prefixCaching) {
            return hits;
        }
        int maxBlocks = Math.max(0, promptTokens.length - 1) / blockSize;
        BlockHash parent = BlockHasher.ROOT;
        for (int index = 0; index < maxBlocks; index++) {
            BlockHash hash = BlockHasher.hashBlock(parent, promptTokens, index * blockSize, blockSize, extraKey);
            Integer blockId = cachedBlocks.get(hash);
            if (blockId != null) {
                hits.add(blockId, hash, refCount[blockId] == 0);
            } else if (source.has(hash)) {
                hits.addSwapIn(hash);
            } else {
                break;
            }
            parent = hash;
        }
        return hits;
    }

    private void cache(BlockTable table, int index, BlockHash hash) {
        int own = table.blockId(index);
        Integer cached = cachedBlocks.get(hash);
        if (cached == null) {
            register(own, hash, index);
            return;
        }
        hold(cached);
        table.replaceBlock(index, cached);
        release(own);
    }

    /** Makes {@code blockId}, block number {@code index} of its chain, findable under {@code hash}. */
    private void register(int blockId, BlockHash hash, int index) {
        cachedBlocks.put(hash, blockId);
        cachedHash[blockId] = hash;
        prefixTokens[blockId] = (index + 1) * blockSize;
    }

    /** Swap-ins need fresh blocks too: only the pool's own hits are free of charge. */
    private int freshBlocksFor(int promptLength, CachedPrefix hits) {
        return blocksFor(promptLength) - (hits.hashes.size() - hits.swapIns);
    }

    private int blocksFor(int tokens) {
        return (tokens + blockSize - 1) / blockSize;
    }

    private int available() {
        return numFree + evictor.size();
    }

    private int takeFreshBlock() {
        int blockId;
        if (numFree > 0) {
            blockId = freeBlocks[--numFree];
        } else {
            EvictedBlock evicted = evictor.evict();
            blockId = evicted.blockId();
            evictionListener.onEvict(blockId, evicted.hash(), evicted.prefixTokens());
            cachedBlocks.remove(evicted.hash());
            cachedHash[blockId] = null;
        }
        refCount[blockId] = 1;
        return blockId;
    }

    private void hold(int blockId) {
        if (refCount[blockId]++ == 0) {
            evictor.remove(blockId);
        }
    }

    private void release(int blockId) {
        if (--refCount[blockId] > 0) {
            return;
        }
        if (cachedHash[blockId] != null) {
            evictor.add(blockId, cachedHash[blockId], clock, prefixTokens[blockId]);
        } else {
            freeBlocks[numFree++] = blockId;
        }
    }

    private static void checkLive(BlockTable table) {
        if (table.isFreed()) {
            throw new IllegalStateException("sequence " + table.seqId() + " was freed");
        }
    }

    /**
     * The cached leading blocks of a prompt (block id -1: to swap in), how many of the pool's are
     * evictable now, and how many are swap-ins.
     */
    private static final class CachedPrefix {
        final List<Integer> blockIds = new ArrayList<>();
        final List<BlockHash> hashes = new ArrayList<>();
        int evictable;
        int swapIns;

        void add(int blockId, BlockHash hash, boolean isEvictable) {
            blockIds.add(blockId);
            hashes.add(hash);
            if (isEvictable) {
                evictable++;
            }
        }

        void addSwapIn(BlockHash hash) {
            blockIds.add(-1);
            hashes.add(hash);
            swapIns++;
        }
    }
}
