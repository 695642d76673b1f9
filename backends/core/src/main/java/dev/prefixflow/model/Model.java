package dev.prefixflow.model;

import dev.prefixflow.platform.KvPool;

/** A loaded model that runs the batched forward contract on a platform. */
public interface Model {

    ModelConfig config();

    /**
     * The sliding window every layer attends through (a query at p reads p - window + 1 .. p), or 0
     * when some layer attends to the whole context. KV older than the window is never read again, so
     * the engine may free it.
     */
    int attentionWindow();

    /**
     * Runs every sequence of the batch: writes their new tokens' K and V into the pool and returns,
     * per sequence in order, the logits of its last token, or null where it wants none. A sequence's
     * results do not depend on the other sequences in the batch, nor on how its tokens were chunked
     * over calls.
     */
    float[][] forward(ForwardBatch batch, KvPool pool);
}
