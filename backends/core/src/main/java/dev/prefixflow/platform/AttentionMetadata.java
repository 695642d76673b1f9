package dev.prefixflow.platform;

/**
 * What attention needs to know about one batched forward step, on the host (vLLM's
 * AttentionMetadata): per sequence, in batch order, how many new (query) tokens it brings, how many
 * of its tokens are already in the KV cache, and its block table; per new token, its slot. A
 * sequence's query tokens are consecutive rows of the step's tensors and sit at positions
 * contextLens[s] ... contextLens[s] + queryLens[s] - 1.
 *
 * <p>On a model whose every layer has a sliding window, the engine frees the blocks no query of the
 * step can see: their block-table entries are {@link #NULL_BLOCK}, which attention never reads
 * (vLLM v1's null block).
 *
 * <p>{@link KvPool#prepare} copies it to the platform once per step; the per-layer attention calls
 * then read the platform's copy.
 */
public record AttentionMetadata(int[] queryLens, int[] contextLens, int[][] blockTables, int[] slotMapping) {

    /** The block-table entry of a block that lies wholly before every window of the step's queries. */
    public static final int NULL_BLOCK = -1;

    public AttentionMetadata {
        if (queryLens.length != contextLens.length || queryLens.length != blockTables.length) {
            throw new IllegalArgumentException("per-sequence arrays differ in length: " + queryLens.length
                    + " query lengths, " + contextLens.length + " context lengths, " + blockTables.length
                    + " block tables");
        }
        long tokens = 0;
        for (int n : queryLens) {
            tokens += n;
        }
        if (tokens != slotMapping.length) {
            throw new IllegalArgumentException("slot mapping has " + slotMapping.length + " slots for " + tokens
                    + " query tokens");
        }
    }

    public int numSequences() {
        return queryLens.length;
    }

    public int numTokens() {
        return slotMapping.length;
    }
}
