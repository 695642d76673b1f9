package dev.prefixflow.engine.block;

import dev.prefixflow.platform.AttentionMetadata;
import java.util.Arrays;

/**
 * One sequence's blocks, in order, and how far its KV is filled in. Created and changed only by
 * {@link BlockManager}. Append-only, as vLLM v1's block tables: a block id, once in the table,
 * stays at its place until the sequence is freed (a block computed twice is not swapped for the
 * cached copy), so a caller may keep what it read and only look at the blocks appended since. The
 * one exception is a model whose every layer has a sliding window: leading blocks that no later
 * query can see are released and their entries become {@link #NULL_BLOCK}; positions stay where
 * they are.
 */
public final class BlockTable {

    /** The entry of a released block: attention never reads it. */
    public static final int NULL_BLOCK = AttentionMetadata.NULL_BLOCK;

    private static final int[] NO_BLOCKS = new int[0];

    private final long seqId;
    /** The sequence's hash chain, extended by the sequence as its tokens grow. */
    private final BlockHashes hashes;
    private final int cachedTokens;
    private final int tierTokens;
    /** Exactly the table's blocks; replaced, never written, when blocks are appended or released. */
    private int[] blockIds;
    /** Leading entries that are {@link #NULL_BLOCK}: released, out of every layer's window. */
    private int numNullBlocks;
    /** Leading full, computed blocks that are cached under their hash (only with prefix caching on). */
    private int numHashedBlocks;
    private int numTokens;
    private int computedTokens;
    private boolean freed;

    BlockTable(long seqId, BlockHashes hashes, int[] blockIds, int numNullBlocks, int numTokens, int cachedTokens,
               int tierTokens) {
        this.seqId = seqId;
        this.hashes = hashes;
        this.blockIds = blockIds;
        this.numNullBlocks = numNullBlocks;
        this.numTokens = numTokens;
        this.cachedTokens = cachedTokens;
        this.tierTokens = tierTokens;
        this.computedTokens = cachedTokens;
        this.numHashedBlocks = cachedTokens / hashes.blockSize();
    }

    public long seqId() {
        return seqId;
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

    /** Entries of the table, {@link #NULL_BLOCK}s included: the blocks that positions 0.. map to. */
    public int numBlocks() {
        return blockIds.length;
    }

    /** Leading entries released because no later query sees them; each is {@link #NULL_BLOCK}. */
    public int numNullBlocks() {
        return numNullBlocks;
    }

    /** The block at {@code index}, or {@link #NULL_BLOCK} if it was released. */
    public int blockId(int index) {
        return blockIds[index];
    }

    /**
     * The block ids, in order; do not modify. Appending or releasing blocks replaces the array rather
     * than writing it, so an array read once stays a snapshot of the table as it was then.
     */
    public int[] blockIds() {
        return blockIds;
    }

    /** Hash of full computed block {@code index}; known for the first {@link #numHashedBlocks()}. */
    public BlockHash blockHash(int index) {
        if (index >= numHashedBlocks) {
            throw new IndexOutOfBoundsException("block " + index + " of " + numHashedBlocks + " hashed blocks");
        }
        return hashes.get(index);
    }

    public int numHashedBlocks() {
        return numHashedBlocks;
    }

    public boolean isFreed() {
        return freed;
    }

    BlockHashes hashes() {
        return hashes;
    }

    void appendBlocks(int[] newBlockIds) {
        int old = blockIds.length;
        blockIds = Arrays.copyOf(blockIds, old + newBlockIds.length);
        System.arraycopy(newBlockIds, 0, blockIds, old, newBlockIds.length);
    }

    /** Replaces the entries of leading blocks {@code numNullBlocks()..upTo-1} with {@link #NULL_BLOCK}. */
    void nullLeadingBlocks(int upTo) {
        int[] ids = blockIds.clone();
        Arrays.fill(ids, numNullBlocks, upTo, NULL_BLOCK);
        blockIds = ids;
        numNullBlocks = upTo;
    }

    void setNumHashedBlocks(int numHashedBlocks) {
        this.numHashedBlocks = numHashedBlocks;
    }

    void setNumTokens(int numTokens) {
        this.numTokens = numTokens;
    }

    void setComputedTokens(int computedTokens) {
        this.computedTokens = computedTokens;
    }

    void markFreed() {
        freed = true;
        blockIds = NO_BLOCKS;
    }
}
