package dev.prefixflow.model;

import dev.prefixflow.platform.AttentionMetadata;
import java.util.List;

/**
 * The host side of one forward step, flattened from a {@link ForwardBatch} into what goes to the
 * platform: every new token's id and position (in batch order), the attention metadata, and the
 * rows whose logits come back (the last row of each sequence that wants logits).
 */
record StepInputs(int[] tokenIds, int[] positions, AttentionMetadata attention, int[] logitRows) {

    /**
     * Checks every token id against the vocabulary, every position against the context length, and
     * that no block a query sees is {@link AttentionMetadata#NULL_BLOCK} (released by the engine).
     *
     * @param window the window of every layer, or 0 when some layer attends to the whole context
     */
    static StepInputs of(ForwardBatch batch, ModelConfig c, int window, int blockSize) {
        List<SequenceChunk> seqs = batch.sequences();
        int n = batch.totalTokens();
        int[] tokenIds = new int[n];
        int[] positions = new int[n];
        int[] slots = new int[n];
        int[] queryLens = new int[seqs.size()];
        int[] contextLens = new int[seqs.size()];
        int[][] blockTables = new int[seqs.size()][];
        int wanted = 0;
        int row = 0;
        for (int s = 0; s < seqs.size(); s++) {
            SequenceChunk chunk = seqs.get(s);
            queryLens[s] = chunk.length();
            contextLens[s] = chunk.firstPosition();
            blockTables[s] = chunk.blockTable();
            checkVisibleBlocks(chunk, window, blockSize);
            wanted += chunk.wantsLogits() ? 1 : 0;
            for (int i = 0; i < chunk.length(); i++, row++) {
                int token = chunk.tokens()[i];
                if (token < 0 || token >= c.vocabSize()) {
                    throw new IllegalArgumentException("token id " + token + " is outside the vocabulary (0.."
                            + (c.vocabSize() - 1) + ")");
                }
                int position = chunk.firstPosition() + i;
                if (position >= c.contextLength()) {
                    throw new IllegalArgumentException("position " + position + " is beyond the context length "
                            + c.contextLength());
                }
                tokenIds[row] = token;
                positions[row] = position;
                slots[row] = chunk.slots()[i];
            }
        }
        int[] logitRows = new int[wanted];
        int end = 0;
        int w = 0;
        for (SequenceChunk chunk : seqs) {
            end += chunk.length();
            if (chunk.wantsLogits()) {
                logitRows[w++] = end - 1;
            }
        }
        return new StepInputs(tokenIds, positions, new AttentionMetadata(queryLens, contextLens, blockTables, slots),
                logitRows);
    }

    /** The chunk's first query sees the most: from p - window + 1 (or 0) to its last position. */
    private static void checkVisibleBlocks(SequenceChunk chunk, int window, int blockSize) {
        int p = chunk.firstPosition();
        int first = window == 0 ? 0 : Math.max(0, p - window + 1) / blockSize;
        int[] table = chunk.blockTable();
        for (int b = first; b < table.length && b * blockSize < p + chunk.length(); b++) {
            if (table[b] == AttentionMetadata.NULL_BLOCK) {
                throw new IllegalArgumentException("block " + b + " of a block table is released, but the query at "
                        + "position " + p + " sees it" + (window == 0 ? "" : " (window " + window + ")"));
            }
        }
    }

    int numTokens() {
        return tokenIds.length;
    }
}
