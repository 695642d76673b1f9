package dev.prefixflow.engine;

import dev.prefixflow.model.ModelConfig;
import dev.prefixflow.platform.KvPoolSpec;
import dev.prefixflow.platform.MemoryInfo;

/**
 * The engine's limits, named as vLLM names them.
 *
 * @param maxNumSeqs sequences running at once
 * @param maxNumBatchedTokens the token budget of one step (decodes plus prefill chunks)
 * @param blockSize token slots per KV block
 * @param numKvBlocks blocks in the KV pool
 * @param prefixCaching whether full blocks are cached and shared by hash
 * @param preemptionMode what happens to a preempted sequence's KV (see {@link PreemptionMode})
 * @param chunkedPrefill whether a prompt's prefill may be split over steps; without it a sequence's
 *     prompt plus max_tokens must fit the token budget (so a recompute after preemption fits too)
 */
public record EngineConfig(int maxNumSeqs, int maxNumBatchedTokens, int blockSize, int numKvBlocks,
                           boolean prefixCaching, PreemptionMode preemptionMode, boolean chunkedPrefill) {

    public EngineConfig {
        if (maxNumSeqs <= 0 || maxNumBatchedTokens <= 0 || blockSize <= 0 || numKvBlocks <= 0) {
            throw new IllegalArgumentException("engine limits must be positive: " + this);
        }
        if (preemptionMode == null) {
            throw new IllegalArgumentException("no preemption mode: " + this);
        }
    }

    /** With chunked prefill. */
    public EngineConfig(int maxNumSeqs, int maxNumBatchedTokens, int blockSize, int numKvBlocks,
                        boolean prefixCaching, PreemptionMode preemptionMode) {
        this(maxNumSeqs, maxNumBatchedTokens, blockSize, numKvBlocks, prefixCaching, preemptionMode, true);
    }

    /** Preemption by recompute, vLLM's default, and chunked prefill. */
    public EngineConfig(int maxNumSeqs, int maxNumBatchedTokens, int blockSize, int numKvBlocks,
                        boolean prefixCaching) {
        this(maxNumSeqs, maxNumBatchedTokens, blockSize, numKvBlocks, prefixCaching, PreemptionMode.RECOMPUTE);
    }

    public EngineConfig withPreemptionMode(PreemptionMode mode) {
        return new EngineConfig(maxNumSeqs, maxNumBatchedTokens, blockSize, numKvBlocks, prefixCaching, mode,
                chunkedPrefill);
    }

    /** Blocks for {@code maxNumSeqs} full contexts, but at most half the platform's available memory. */
    public static int defaultKvBlocks(ModelConfig model, int maxNumSeqs, int blockSize, MemoryInfo memory) {
        long wanted = (long) maxNumSeqs * ((model.contextLength() + blockSize - 1) / blockSize);
        long bytesPerBlock = new KvPoolSpec(model.layers(), model.kvHeads(), model.headDim(), 1, blockSize)
                .bytesPerBlock();
        long affordable = memory.availableBytes() / 2 / bytesPerBlock;
        return (int) Math.max(1, Math.min(Math.min(wanted, affordable), Integer.MAX_VALUE));
    }
}
