package dev.prefixflow.engine;

/**
 * A snapshot of the engine: queue lengths and pool use now, and counters since it started.
 *
 * @param kvUsage fraction of the KV pool's blocks held by running sequences
 * @param prefixCacheHitRate cached prompt tokens / prompt tokens, at first admission
 * @param cachedTokens prompt tokens served from the prefix cache: the pool's hits and tier swap-ins
 * @param tierCachedTokens of {@code cachedTokens}, those swapped in from the evicted-block tier
 * @param swappedOutBlocks blocks of preempted sequences copied out of the pool ({@link PreemptionMode#SWAP})
 * @param swappedInTokens tokens of re-admitted preempted sequences swapped in instead of recomputed
 * @param windowReleasedBlocks blocks running sequences gave back because no query would see them again
 *     (models whose every layer has a sliding window)
 * @param computedTokens tokens the forward passes computed (prefill chunks, decodes, recomputes)
 * @param lastStepNanos duration of the latest step
 * @param stepNanos time in steps, summed; of it {@code forwardNanos} in the forward pass and {@code
 *     sampleNanos} in sampling, the rest in scheduling, block management and bookkeeping
 */
public record EngineMetrics(int running, int waiting, double kvUsage, double prefixCacheHitRate, long preemptions,
                            long promptTokens, long cachedTokens, long tierCachedTokens, long swappedOutBlocks,
                            long swappedInTokens, long windowReleasedBlocks, long computedTokens, long generatedTokens,
                            long requestsFinished, long steps, long lastStepNanos, long stepNanos,
                            long forwardNanos, long sampleNanos) {

    /** Share of step time spent neither in the forward pass nor in sampling. */
    public double overheadShare() {
        return stepNanos == 0 ? 0 : (double) (stepNanos - forwardNanos - sampleNanos) / stepNanos;
    }
}
