package dev.prefixflow.engine;

/**
 * Whether a request can ever run on this model and pool. One that cannot is answered with an
 * error at once: left in the queue it would wait forever.
 */
record RequestLimits(int vocabSize, int contextLength, int numKvBlocks, int blockSize, int maxNumBatchedTokens,
                     boolean chunkedPrefill) {

    RequestLimits(int vocabSize, int contextLength, EngineConfig config) {
        this(vocabSize, contextLength, config.numKvBlocks(), config.blockSize(), config.maxNumBatchedTokens(),
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
        long blocks = (total + blockSize - 1) / blockSize;
        if (blocks > numKvBlocks) {
            return "the prompt plus max_tokens needs " + blocks + " KV blocks; the whole pool has " + numKvBlocks;
        }
        return null;
    }
}
