package dev.prefixflow.engine.block;

import java.util.Arrays;

/**
 * The hash chain of one growing token list (a sequence's prompt, then its generated tokens), as
 * vLLM v1's {@code request.block_hashes}: each block is hashed once, when it becomes full, so the
 * block manager and the scheduler look blocks up without hashing anything again.
 *
 * <p>Not thread-safe: the engine loop extends and reads it.
 */
public final class BlockHashes {

    private final int blockSize;
    private final String extraKey;
    private BlockHash[] hashes = new BlockHash[8];
    private int size;

    /** An empty chain for blocks of {@code blockSize} tokens under {@code extraKey} (a LoRA name, or null). */
    public BlockHashes(int blockSize, String extraKey) {
        BlockHasher.checkBlockSize(blockSize);
        this.blockSize = blockSize;
        this.extraKey = extraKey;
    }

    /**
     * Hashes the blocks of {@code tokens[0, length)} that became full since the last call. The
     * tokens hashed before must be unchanged: a token list only grows.
     */
    public void extend(int[] tokens, int length) {
        if (length > tokens.length) {
            throw new IndexOutOfBoundsException(length + " tokens of " + tokens.length);
        }
        int full = length / blockSize;
        if (full > hashes.length) {
            hashes = Arrays.copyOf(hashes, Math.max(full, 2 * hashes.length));
        }
        for (; size < full; size++) {
            BlockHash parent = size == 0 ? BlockHasher.ROOT : hashes[size - 1];
            hashes[size] = BlockHasher.hashBlock(parent, tokens, size * blockSize, blockSize, extraKey);
        }
    }

    /** The hash of full block {@code index}. */
    public BlockHash get(int index) {
        if (index >= size) {
            throw new IndexOutOfBoundsException("block " + index + " of " + size + " hashed blocks");
        }
        return hashes[index];
    }

    /** How many leading full blocks are hashed. */
    public int size() {
        return size;
    }

    public int blockSize() {
        return blockSize;
    }
}
