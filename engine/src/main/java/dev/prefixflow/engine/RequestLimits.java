package dev.prefixflow.engine;

/**
 * Whether a request can ever run on this model and pool. One that cannot is answered with an
 * error at once: left in the queue it would wait forever.
 *
 * @param window the sliding window of every layer, or 0 when some layer attends to the whole context
 */
record RequestLimits(int vocabSize, int contextLength, int window, int numKvBlocks, int blockSize,
                     int maxNumBatchedTokens, boolean chunkedPrefill) {

    RequestLimits(int vocabSize, int contextLength, int window, EngineConfig config) {
        this(vocabSize, contextLength, window, config.numKvBlocks(), config.blockSize(), config.maxNumBatchedTokens(),
                config.chunkedPrefill());
    }

    /** Why the request can never run, or null when it can. */
    String problem(Request r) {
        int[] prompt = r.promptTokenIds();
        int maxTokens = r.params().maxTokens();
        if (prompt.length == 0) {
            return "the prompt is empty";
        }
        for (int id : prompt) {
            if (id < 0 || id >= vocabSize) {
                return "prompt token id " + id + " is outside the vocabulary (0.." + (vocabSize - 1) + ")";
            }
        }
        if (prompt.length >= contextLength) {
            return "the prompt has " + prompt.length + " tokens; the model's context length is " + contextLength;
        }
        long total = (long) prompt.length + maxTokens;
        if (total > contextLength) {
            return "the prompt (" + prompt.length + " tokens) plus max_tokens (" + maxTokens
                    + ") exceeds the model's context length " + contextLength;
        }
        if (!chunkedPrefill && total > maxNumBatchedTokens) {
            return "the prompt (" + prompt.length + " tokens) plus max_tokens (" + maxTokens + ") exceeds"
                    + " max_num_batched_tokens " + maxNumBatchedTokens + ", and this platform cannot split a prefill";
        }
        long blocks = blocksAtOnce(total);
        if (blocks > numKvBlocks) {
            return "the prompt plus max_tokens needs " + blocks + " KV blocks at once"
                    + (window > 0 ? " (sliding window " + window + ")" : "") + "; the whole pool has " + numKvBlocks;
        }
        return null;
    }

    /**
     * The most blocks a sequence of {@code total} tokens holds at once. With a window and chunked
     * prefill, a step's chunk of at most max_num_batched_tokens tokens plus the window before it,
     * from a block edge (see {@code BlockManager}); otherwise the whole sequence.
     */
    private long blocksAtOnce(long total) {
        long all = (total + blockSize - 1) / blockSize;
        if (window == 0 || !chunkedPrefill) {
            return all;
        }
        long span = (long) blockSize - 1 + window - 1 + maxNumBatchedTokens;
        return Math.min(all, (span + blockSize - 1) / blockSize);
    }
}
