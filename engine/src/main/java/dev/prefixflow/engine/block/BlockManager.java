package dev.prefixflow.engine.block;

import java.util.Arrays;
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
 * <p><b>Sliding windows.</b> On a model whose every layer attends through a window of {@code W}
 * positions, a query at position p reads p - W + 1 .. p only, so a running sequence's leading blocks
 * wholly before its next query's window are never read again: {@link #releaseOutOfWindow} gives them
 * back (cached ones become evictable, findable by hash; the others free) and leaves
 * {@link BlockTable#NULL_BLOCK} in their entries, as vLLM v1's sliding-window manager does. Such a
 * table also slots only the tokens scheduled so far (the {@code tokenBudget} of {@link #allocate}, then
 * {@link #appendSlots} per chunk), so a sequence holds about {@code (W + chunk) / blockSize + 1} blocks
 * however long it grows. A prefix-cache hit then needs only the blocks its first computed query
 * sees: the longest prefix of whole blocks (last-token rule as above) whose final {@code W - 1}
 * positions' blocks are all in the pool (or the source); the hash chain vouches for the tokens before
 * them, whose entries stay null. A model with any full-attention layer (Gemma 2 and 3 mix local and
 * global layers) gets window 0: it keeps every block and slots the whole sequence at admission.
 *
 * <p>Not thread-safe: one engine loop owns it.
 */
public final class BlockManager {

    private static final int NO_BLOCK = -1;

    private final int numBlocks;
    private final int blockSize;
    private final boolean prefixCaching;
    /** The window of every layer, or 0 when some layer sees the whole context. */
    private final int window;
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
    private long windowReleasedBlocks;

    /** For a model with a full-attention layer. */
    public BlockManager(int numBlocks, int blockSize, boolean prefixCaching) {
        this(numBlocks, blockSize, prefixCaching, 0, EvictionListener.NONE);
    }

    /**
     * @param window the sliding window of every layer of the model, or 0 when some layer attends to
     *     the whole context (then no block is released before its sequence is freed)
     */
    public BlockManager(int numBlocks, int blockSize, boolean prefixCaching, int window,
                        EvictionListener evictionListener) {
        if (numBlocks <= 0) {
            throw new IllegalArgumentException("the pool needs at least one block: " + numBlocks);
        }
        if (window < 0) {
            throw new IllegalArgumentException("negative attention window: " + window);
        }
        BlockHasher.checkBlockSize(blockSize);
        this.numBlocks = numBlocks;
        this.blockSize = blockSize;
        this.prefixCaching = prefixCaching;
        this.window = window;
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
        return findCachedPrefix(hashes, numTokens, source).size * blockSize;
    }

    /** Whether {@link #allocate} would succeed now. */
    public boolean canAllocate(BlockHashes hashes, int numTokens, BlockSource source, int tokenBudget) {
        CachedPrefix hits = findCachedPrefix(hashes, numTokens, source);
        return freshBlocksFor(slottedTokens(numTokens, hits, tokenBudget), hits) <= available() - hits.evictable;
    }

    /** {@link #canAllocate(BlockHashes, int, BlockSource, int)} for all tokens at once. */
    public boolean canAllocate(BlockHashes hashes, int numTokens, BlockSource source) {
        return canAllocate(hashes, numTokens, source, numTokens);
    }

    /** Whether a block with this hash is in the pool now (held or evictable). */
    public boolean isCached(BlockHash hash) {
        return cachedBlocks.containsKey(hash);
    }

    /**
     * A block table for a new sequence of {@code numTokens} tokens whose full blocks {@code hashes}
     * holds: the longest cached prefix attached (see the last-token rule and, for windowed models,
     * the class comment), with the chain's blocks that the pool misses but {@code source} has filled
     * from it (swapped in) and cached, and fresh blocks for the rest. With a window, the table slots
     * only the cached prefix plus {@code tokenBudget} tokens; without, all {@code numTokens}. The
     * table keeps {@code hashes}, which the sequence extends as it grows.
     *
     * @throws IllegalStateException if the pool is short of blocks ({@link #canAllocate} says so)
     */
    public BlockTable allocate(long seqId, BlockHashes hashes, int numTokens, BlockSource source, int tokenBudget) {
        if (numTokens <= 0) {
            throw new IllegalArgumentException("a sequence needs at least one prompt token");
        }
        if (tokenBudget <= 0) {
            throw new IllegalArgumentException("a token budget must be positive: " + tokenBudget);
        }
        CachedPrefix hits = findCachedPrefix(hashes, numTokens, source);
        int slotted = slottedTokens(numTokens, hits, tokenBudget);
        int fresh = freshBlocksFor(slotted, hits);
        if (fresh > available() - hits.evictable) {
            throw new IllegalStateException("sequence " + seqId + " needs " + fresh + " fresh blocks, "
                    + (available() - hits.evictable) + " available");
        }
        int hitBlocks = hits.size;
        int[] blockIds = new int[blocksFor(slotted)];
        Arrays.fill(blockIds, 0, hits.first, BlockTable.NULL_BLOCK);
        // Hold the pool's hits before taking any fresh block, so evicting cannot pick one of them.
        for (int i = hits.first; i < hitBlocks; i++) {
            blockIds[i] = hits.blockIds[i];
            if (blockIds[i] != NO_BLOCK) {
                hold(blockIds[i]);
            }
        }
        for (int i = hits.first; i < hitBlocks; i++) {
            if (blockIds[i] == NO_BLOCK) {
                blockIds[i] = takeFreshBlock();
                source.fill(blockIds[i], hashes.get(i));
                register(blockIds[i], hashes.get(i), i);
            }
        }
        for (int i = hitBlocks; i < blockIds.length; i++) {
            blockIds[i] = takeFreshBlock();
        }
        BlockTable table = new BlockTable(seqId, hashes, blockIds, hits.first, slotted, hitBlocks * blockSize,
                hits.swapIns * blockSize);
        if (prefixCaching) {
            queriedTokens += numTokens;
            hitTokens += table.cachedTokens();
        }
        return table;
    }

    /** {@link #allocate(long, BlockHashes, int, BlockSource, int)} slotting all tokens at once. */
    public BlockTable allocate(long seqId, BlockHashes hashes, int numTokens, BlockSource source) {
        return allocate(seqId, hashes, numTokens, source, numTokens);
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
        int[] blockIds = table.blockIds();
        for (int i = table.numNullBlocks(); i < blockIds.length; i++) {
            release(blockIds[i]);
        }
        table.markFreed();
    }

    /**
     * How many of the table's blocks {@link #releaseOutOfWindow} would release now: those wholly
     * before the window of the sequence's next query (at its first uncomputed position). Always 0
     * without a window.
     */
    public int numOutOfWindowBlocks(BlockTable table) {
        checkLive(table);
        return Math.max(0, firstVisibleBlock(table.computedTokens()) - table.numNullBlocks());
    }

    /**
     * Releases the blocks no query of the sequence can see any more (see {@link
     * #numOutOfWindowBlocks}), as {@link #free} would, and nulls their entries; returns how many.
     */
    public int releaseOutOfWindow(BlockTable table) {
        int n = numOutOfWindowBlocks(table);
        if (n == 0) {
            return 0;
        }
        clock++;
        int from = table.numNullBlocks();
        for (int i = from; i < from + n; i++) {
            release(table.blockId(i));
        }
        table.nullLeadingBlocks(from + n);
        windowReleasedBlocks += n;
        return n;
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

    /** The window of every layer of the model, or 0 when some layer attends to the whole context. */
    public int window() {
        return window;
    }

    /** Blocks released by {@link #releaseOutOfWindow} so far. */
    public long windowReleasedBlocks() {
        return windowReleasedBlocks;
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
        // Per chain block: its pool block, or NO_BLOCK where the source has it.
        int[] found = new int[maxBlocks];
        // The first block of the run of found blocks that reaches the current one.
        int runStart = 0;
        int hitBlocks = 0;
        for (int index = 0; index < maxBlocks; index++) {
            BlockHash hash = hashes.get(index);
            Integer blockId = cachedBlocks.get(hash);
            if (blockId != null) {
                found[index] = blockId;
            } else if (source.has(hash)) {
                found[index] = NO_BLOCK;
            } else if (window == 0) {
                break;
            } else {
                runStart = index + 1;
                continue;
            }
            // A hit of index + 1 blocks needs the blocks its first computed query sees.
            if (runStart <= firstVisibleBlock((index + 1) * blockSize)) {
                hitBlocks = index + 1;
            }
        }
        CachedPrefix hits = new CachedPrefix(found, firstVisibleBlock(hitBlocks * blockSize), hitBlocks);
        for (int i = hits.first; i < hitBlocks; i++) {
            if (found[i] == NO_BLOCK) {
                hits.swapIns++;
            } else if (refCount[found[i]] == 0) {
                hits.evictable++;
            }
        }
        return hits;
    }

    /** The first block a query at {@code position} sees in every layer. */
    private int firstVisibleBlock(int position) {
        return window == 0 ? 0 : Math.max(0, position - window + 1) / blockSize;
    }

    /** Tokens a new table slots: with a window the cached prefix plus the first chunk, else all. */
    private int slottedTokens(int numTokens, CachedPrefix hits, int tokenBudget) {
        return window == 0 ? numTokens : (int) Math.min(numTokens, (long) hits.size * blockSize + tokenBudget);
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

    /** Swap-ins need fresh blocks too: only the pool's own hits and the null entries are free of charge. */
    private int freshBlocksFor(int slottedTokens, CachedPrefix hits) {
        return blocksFor(slottedTokens) - hits.first - (hits.size - hits.first - hits.swapIns);
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
     * The cached leading blocks of a prompt: chain blocks {@code first..size-1} are attached ({@link
     * #NO_BLOCK}: to swap in), those before {@code first} are out of the window and stay null; how
     * many attached ones are evictable now, and how many are swap-ins.
     */
    private static final class CachedPrefix {
        static final CachedPrefix NONE = new CachedPrefix(new int[0], 0, 0);

        final int[] blockIds;
        final int first;
        final int size;
        int evictable;
        int swapIns;

        CachedPrefix(int[] blockIds, int first, int size) {
            this.blockIds = blockIds;
            this.first = first;
            this.size = size;
        }
    }
}
