package dev.prefixflow.engine.block;

import java.util.HashMap;
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
 * hears of each eviction that takes a hash out of the pool, before the block is reused).
 *
 * <p><b>Append-only tables.</b> Hashes come from the sequence's {@link BlockHashes}, computed once
 * per block. As in vLLM v1, a block computed twice (two sequences computed the same content at
 * once, or a fully cached prompt recomputed its last block) is not swapped for the cached copy:
 * it stays in its table and is cached too, and lookups find the first copy. So block ids never
 * change under a running sequence. A copy that no sequence holds any more while another copy is
 * in the pool is freed at once, and an idle copy the cache keeps counts as used just then: the
 * cache ends up with one copy, stamped as if the tables had shared it.
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

    private static final int NO_BLOCK = -1;

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
    /** Per hash, the first block cached under it; the others follow through {@link #nextCopy}. */
    private final Map<BlockHash, Integer> cachedBlocks = new HashMap<>();
    /** The next block cached under the same hash, or {@link #NO_BLOCK}. */
    private final int[] nextCopy;
    private int numCached;
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
        nextCopy = new int[numBlocks];
        freeBlocks = new int[numBlocks];
        // Stacked so that block 0 is handed out first: easier to read in logs and tests.
        for (int i = 0; i < numBlocks; i++) {
            freeBlocks[i] = numBlocks - 1 - i;
        }
        numFree = numBlocks;
        evictor = new LruEvictor(numBlocks);
    }

    /**
     * How many leading tokens of a new sequence ({@code numTokens} tokens, hashed in {@code hashes})
     * the cache holds now, counting blocks {@code source} can fill, under the last-token rule. No
     * side effects: the scheduler asks this before admitting a request, to size its token budget.
     */
    public int lookupCachedPrefix(BlockHashes hashes, int numTokens, BlockSource source) {
        return findCachedPrefix(hashes, numTokens, source).size() * blockSize;
    }

    /** Whether {@link #allocate} would succeed now. */
    public boolean canAllocate(BlockHashes hashes, int numTokens, BlockSource source) {
        CachedPrefix hits = findCachedPrefix(hashes, numTokens, source);
        return freshBlocksFor(numTokens, hits) <= available() - hits.evictable;
    }

    /** Whether a block with this hash is in the pool now (held or evictable). */
    public boolean isCached(BlockHash hash) {
        return cachedBlocks.containsKey(hash);
    }

    /**
     * A block table for a new sequence of {@code numTokens} tokens whose full blocks {@code hashes}
     * holds: the longest cached prefix attached (see the last-token rule), with the chain's blocks
     * that the pool misses but {@code source} has filled from it (swapped in) and cached, and fresh
     * blocks for the rest. The table keeps {@code hashes}, which the sequence extends as it grows.
     *
     * @throws IllegalStateException if the pool is short of blocks ({@link #canAllocate} says so)
     */
    public BlockTable allocate(long seqId, BlockHashes hashes, int numTokens, BlockSource source) {
        if (numTokens <= 0) {
            throw new IllegalArgumentException("a sequence needs at least one prompt token");
        }
        CachedPrefix hits = findCachedPrefix(hashes, numTokens, source);
        int fresh = freshBlocksFor(numTokens, hits);
        if (fresh > available() - hits.evictable) {
            throw new IllegalStateException("sequence " + seqId + " needs " + fresh + " fresh blocks, "
                    + (available() - hits.evictable) + " available");
        }
        int hitBlocks = hits.size();
        int[] blockIds = new int[blocksFor(numTokens)];
        // Hold the pool's hits before taking any fresh block, so evicting cannot pick one of them.
        for (int i = 0; i < hitBlocks; i++) {
            blockIds[i] = hits.blockIds[i];
            if (blockIds[i] != NO_BLOCK) {
                hold(blockIds[i]);
            }
        }
        for (int i = 0; i < hitBlocks; i++) {
            if (blockIds[i] == NO_BLOCK) {
                blockIds[i] = takeFreshBlock();
                source.fill(blockIds[i], hashes.get(i));
                register(blockIds[i], hashes.get(i), i);
            }
        }
        for (int i = hitBlocks; i < blockIds.length; i++) {
            blockIds[i] = takeFreshBlock();
        }
        BlockTable table = new BlockTable(seqId, hashes, blockIds, numTokens, hitBlocks * blockSize,
                hits.swapIns * blockSize);
        if (prefixCaching) {
            queriedTokens += numTokens;
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
        if (needed > 0) {
            int[] blockIds = new int[needed];
            for (int i = 0; i < needed; i++) {
                blockIds[i] = takeFreshBlock();
            }
            table.appendBlocks(blockIds);
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
     * block that became full; the sequence's {@link BlockHashes} must cover them. A block whose
     * hash is cached already stays in the table and becomes a second copy (see the class comment).
     */
    public void markComputed(BlockTable table, int computedUpTo) {
        checkLive(table);
        if (computedUpTo < table.computedTokens() || computedUpTo > table.numTokens()) {
            throw new IllegalArgumentException("cannot mark " + computedUpTo + " tokens computed: "
                    + table.computedTokens() + " computed, " + table.numTokens() + " slotted");
        }
        BlockHashes hashes = table.hashes();
        int full = computedUpTo / blockSize;
        if (prefixCaching && full > hashes.size()) {
            throw new IllegalStateException("sequence " + table.seqId() + " has " + full
                    + " full computed blocks but hashed only " + hashes.size());
        }
        table.setComputedTokens(computedUpTo);
        if (!prefixCaching) {
            return;
        }
        for (int index = table.numHashedBlocks(); index < full; index++) {
            register(table.blockId(index), hashes.get(index), index);
        }
        table.setNumHashedBlocks(Math.max(full, table.numHashedBlocks()));
    }

    /**
     * Releases the sequence's blocks: cached ones no other sequence holds become evictable, the
     * rest become free. The table cannot be used afterwards.
     */
    public void free(BlockTable table) {
        checkLive(table);
        clock++;
        for (int blockId : table.blockIds()) {
            release(blockId);
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

    /** Blocks findable by hash, whether held or evictable (copies of one hash count each). */
    public int numCachedBlocks() {
        return numCached;
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
    private CachedPrefix findCachedPrefix(BlockHashes hashes, int numTokens, BlockSource source) {
        if (hashes.blockSize() != blockSize) {
            throw new IllegalArgumentException("hashes of " + hashes.blockSize() + "-token blocks for a pool of "
                    + blockSize + "-token blocks");
        }
        if (!prefixCaching) {
            return CachedPrefix.NONE;
        }
        int maxBlocks = Math.max(0, numTokens - 1) / blockSize;
        if (maxBlocks > hashes.size()) {
            throw new IllegalArgumentException(numTokens + " tokens but " + hashes.size() + " hashed blocks");
        }
        CachedPrefix hits = new CachedPrefix(maxBlocks);
        for (int index = 0; index < maxBlocks; index++) {
            BlockHash hash = hashes.get(index);
            Integer blockId = cachedBlocks.get(hash);
            if (blockId != null) {
                hits.add(blockId, refCount[blockId] == 0);
            } else if (source.has(hash)) {
                hits.addSwapIn();
            } else {
                break;
            }
        }
        return hits;
    }

    /**
     * Makes {@code blockId}, block number {@code index} of its chain, findable under {@code hash},
     * after any copies cached before it.
     */
    private void register(int blockId, BlockHash hash, int index) {
        cachedHash[blockId] = hash;
        prefixTokens[blockId] = (index + 1) * blockSize;
        nextCopy[blockId] = NO_BLOCK;
        numCached++;
        Integer first = cachedBlocks.putIfAbsent(hash, blockId);
        if (first != null) {
            int last = first;
            while (nextCopy[last] != NO_BLOCK) {
                last = nextCopy[last];
            }
            nextCopy[last] = blockId;
        }
    }

    /** Makes a cached block unfindable; other copies of its hash stay findable. */
    private void uncache(int blockId) {
        BlockHash hash = cachedHash[blockId];
        int first = cachedBlocks.get(hash);
        if (first != blockId) {
            int previous = first;
            while (nextCopy[previous] != blockId) {
                previous = nextCopy[previous];
            }
            nextCopy[previous] = nextCopy[blockId];
        } else if (nextCopy[blockId] == NO_BLOCK) {
            cachedBlocks.remove(hash);
        } else {
            cachedBlocks.put(hash, nextCopy[blockId]);
        }
        cachedHash[blockId] = null;
        numCached--;
    }

    /** Whether {@code blockId} is the only block cached under its hash. */
    private boolean isOnlyCopy(int blockId) {
        return nextCopy[blockId] == NO_BLOCK && cachedBlocks.get(cachedHash[blockId]) == blockId;
    }

    /** Swap-ins need fresh blocks too: only the pool's own hits are free of charge. */
    private int freshBlocksFor(int numTokens, CachedPrefix hits) {
        return blocksFor(numTokens) - (hits.size() - hits.swapIns);
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
            // An evictable block's other copies are held: the pool keeps the data then.
            if (isOnlyCopy(blockId)) {
                evictionListener.onEvict(blockId, evicted.hash(), evicted.prefixTokens());
            }
            uncache(blockId);
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
        if (cachedHash[blockId] == null) {
            freeBlocks[numFree++] = blockId;
            return;
        }
        BlockHash hash = cachedHash[blockId];
        if (isOnlyCopy(blockId)) {
            evictor.add(blockId, hash, clock, prefixTokens[blockId]);
            return;
        }
        // An idle second copy: free it, and count it as a use of an idle copy the cache keeps.
        uncache(blockId);
        freeBlocks[numFree++] = blockId;
        for (int copy = cachedBlocks.get(hash); copy != NO_BLOCK; copy = nextCopy[copy]) {
            if (evictor.remove(copy)) {
                evictor.add(copy, hash, clock, prefixTokens[copy]);
                return;
            }
        }
    }

    private static void checkLive(BlockTable table) {
        if (table.isFreed()) {
            throw new IllegalStateException("sequence " + table.seqId() + " was freed");
        }
    }

    /**
     * The cached leading blocks of a prompt ({@link #NO_BLOCK}: to swap in), how many of the
     * pool's are evictable now, and how many are swap-ins.
     */
    private static final class CachedPrefix {
        static final CachedPrefix NONE = new CachedPrefix(0);

        final int[] blockIds;
        private int size;
        int evictable;
        int swapIns;

        CachedPrefix(int maxBlocks) {
            blockIds = new int[maxBlocks];
        }

        int size() {
            return size;
        }

        void add(int blockId, boolean isEvictable) {
            blockIds[size++] = blockId;
            if (isEvictable) {
                evictable++;
            }
        }

        void addSwapIn() {
            blockIds[size++] = NO_BLOCK;
            swapIns++;
        }
    }
}
