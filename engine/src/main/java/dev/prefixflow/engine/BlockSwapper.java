package dev.prefixflow.engine;

import dev.prefixflow.engine.block.BlockHash;
import dev.prefixflow.engine.block.BlockHashes;
import dev.prefixflow.engine.block.BlockManager;
import dev.prefixflow.engine.block.BlockSource;
import dev.prefixflow.engine.block.BlockTable;
import dev.prefixflow.engine.block.EvictionListener;
import dev.prefixflow.engine.tier.BlockTier;
import dev.prefixflow.platform.KvPool;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Moves blocks between the KV pool and the evicted-block tier (vLLM's cache engine swaps): an
 * evicted cached block's KV goes to the tier under the tier key of the last sequence that held it;
 * a new request's chain blocks that the pool misses are fetched from the tier when the request is
 * added, and written into the pool when it is admitted. Chain blocks the pool holds when the
 * request is added but evicts before its admission are handed to it at eviction, since the tier
 * cannot be read again before then.
 *
 * <p>The same hand-over is the swap-out of {@link PreemptionMode#SWAP}: a preempted sequence awaits
 * its own full blocks, so only those the pool really evicts are copied, and the tier is not read
 * inside a step.
 */
final class BlockSwapper implements EvictionListener {
    private final KvPool pool;
    private final BlockTier tier;
    /** Per block: the tier key of the last sequence that released it. */
    private final String[] lastKey;
    private final float[] scratch;
    /** Waiting requests' fetched blocks, by the pool blocks they rely on. */
    private final Map<BlockHash, Set<TierBlocks>> awaiting = new HashMap<>();
    private long swappedOutBlocks;

    BlockSwapper(KvPool pool, BlockTier tier) {
        this.pool = pool;
        this.tier = tier;
        this.lastKey = new String[pool.spec().numBlocks()];
        this.scratch = new float[pool.spec().floatsPerBlock()];
    }

    @Override
    public void onEvict(int blockId, BlockHash hash, int prefixTokens) {
        pool.readBlock(blockId, scratch);
        tier.put(lastKey[blockId], hash, scratch);
        Set<TierBlocks> waiters = awaiting.remove(hash);
        if (waiters != null) {
            for (TierBlocks w : waiters) {
                w.blocks.put(hash, scratch.clone());
                if (w.preempted) {
                    swappedOutBlocks++;
                }
            }
        }
    }

    boolean hasTier() {
        return tier != BlockTier.NONE;
    }

    /** Copies an evictable block into the tier unless it is there already (see {@link LlmEngine#spillToTier}). */
    void spill(int blockId, BlockHash hash, int prefixTokens) {
        if (!tier.contains(hash)) {
            pool.readBlock(blockId, scratch);
            tier.put(lastKey[blockId], hash, scratch);
        }
    }

    /**
     * Call before the table's blocks are freed or released out of the window: a block becomes
     * evictable only when its last holder releases it.
     */
    void released(BlockTable table, String tierKey) {
        for (int i = table.numNullBlocks(); i < table.numBlocks(); i++) {
            lastKey[table.blockId(i)] = tierKey;
        }
    }

    /**
     * The leading prompt blocks (under the last-token rule) that the tier can supply: those it has,
     * and those the pool holds now (handed over if evicted before admission).
     */
    TierBlocks prefetch(Sequence s, BlockManager blocks) {
        TierBlocks found = new TierBlocks(false);
        if (tier == BlockTier.NONE || !blocks.prefixCachingEnabled()) {
            return found;
        }
        BlockHashes chain = s.blockHashes();
        int maxBlocks = (s.promptLength - 1) / blocks.blockSize();
        for (int i = 0; i < maxBlocks; i++) {
            BlockHash hash = chain.get(i);
            if (blocks.isCached(hash)) {
                found.await(hash);
                continue;
            }
            float[] kv = tier.get(hash);
            if (kv == null) {
                break;
            }
            found.blocks.put(hash, kv);
        }
        return found;
    }

    /**
     * The blocks a sequence being preempted keeps: its full computed ones that it still holds (on a
     * windowed model, those its window reaches), copied out of the pool if evicted before its
     * re-admission. Call only with a tier (evictions are heard only then).
     */
    TierBlocks swapOut(BlockTable table) {
        TierBlocks kept = new TierBlocks(true);
        for (int i = table.numNullBlocks(); i < table.numHashedBlocks(); i++) {
            kept.await(table.blockHash(i));
        }
        return kept;
    }

    /** Blocks of preempted sequences copied out of the pool at eviction. */
    long swappedOutBlocks() {
        return swappedOutBlocks;
    }

    /** Blocks fetched from the tier for one waiting request, held on the heap until its admission. */
    final class TierBlocks implements BlockSource {
        private final Map<BlockHash, float[]> blocks = new HashMap<>();
        private final Set<BlockHash> awaited = new HashSet<>();
        /** Whether these are a preempted sequence's own blocks (counted as swapped out). */
        private final boolean preempted;

        private TierBlocks(boolean preempted) {
            this.preempted = preempted;
        }

        /** Takes a copy of the pool's block {@code hash} if it is evicted before {@link #release()}. */
        private void await(BlockHash hash) {
            awaited.add(hash);
            awaiting.computeIfAbsent(hash, h -> new HashSet<>()).add(this);
        }

        @Override
        public boolean has(BlockHash hash) {
            return blocks.containsKey(hash);
        }

        @Override
        public void fill(int blockId, BlockHash hash) {
            pool.writeBlock(blockId, blocks.get(hash));
        }

        /** The request is admitted: stop collecting evicted blocks for it. */
        void release() {
            for (BlockHash hash : awaited) {
                Set<TierBlocks> waiters = awaiting.get(hash);
                if (waiters != null && waiters.remove(this) && waiters.isEmpty()) {
                    awaiting.remove(hash);
                }
            }
            awaited.clear();
            blocks.clear();
        }
    }
}
