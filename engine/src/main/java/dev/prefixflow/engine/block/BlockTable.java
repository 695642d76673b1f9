package dev.prefixflow.engine.block;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One sequence's blocks, in order, and how far its KV is filled in. Created and changed only by
 * {@link BlockManager}; read it each engine step, since block ids may change (see
 * {@link BlockManager#markComputed}).
 */
public final class BlockTable {

    private final long seqId;
    private final String extraKey;
    private final int cachedTokens;
    private final int tierTokens;
    private int[] blockIds = new int[8];
    private int numBlocks;
    /** Hashes of the leading full, computed blocks (only with prefix caching on). */
    private final List<BlockHash> hashes = new ArrayList<>();
    private int numTokens;
    private int computedTokens;
    private boolean freed;

    BlockTable(long seqId, String extraKey, int cachedTokens, int tierTokens) {
        this.seqId = seqId;
        this.extraKey = extraKey;
        this.cachedTokens = cachedTokens;
        this.tierTokens = tierTokens;
        this.computedTokens = cachedTokens;
    }

    public long seqId() {
        return seqId;
    }

    /** The extra hash key (LoRA adapter name), or null. */
    public String extraKey() {
        return extraKey;
    }

    /** Prompt tokens whose KV came from the prefix cache at allocation (pool hits and swap-ins). */
    public int cachedTokens() {
        return cachedTokens;
    }

    /** Of {@link #cachedTokens()}, those swapped in from a {@link BlockSource}. */
    public int tierTokens() {
        return tierTokens;
    }

    /** Tokens that have slots: the prompt plus appended tokens. */
    public int numTokens() {
        return numTokens;
    }

    /** Tokens whose KV is in the cache, from position 0. */
    public int computedTokens() {
        return computedTokens;
    }

    public int numBlocks() {
        return numBlocks;
    }

    public int blockId(int index) {
        if (index >= numBlocks) {
            throw new IndexOutOfBoundsException("block " + index + " of " + numBlocks);
        }
        return blockIds[index];
    }

    public int[] blockIds() {
        return Arrays.copyOf(blockIds, numBlocks);
    }

    /** Hash of full computed block {@code index}; known for the first {@link #numHashedBlocks()}. */
    public BlockHash blockHash(int index) {
        return hashes.get(index);
    }

    public int numHashedBlocks() {
        return hashes.size();
    }

    public boolean isFreed() {
        return freed;
    }

    void addBlock(int blockId) {
        if (numBlocks == blockIds.length) {
            blockIds = Arrays.copyOf(blockIds, 2 * numBlocks);
        }
        blockIds[numBlocks++] = blockId;
    }

    void replaceBlock(int index, int blockId) {
        blockIds[index] = blockId;
    }

    void addHash(BlockHash hash) {
        hashes.add(hash);
    }

    void setNumTokens(int numTokens) {
        this.numTokens = numTokens;
    }

    void setComputedTokens(int computedTokens) {
        this.computedTokens = computedTokens;
    }

    void markFreed() {
        freed = true;
        numBlocks = 0;
    }
}
