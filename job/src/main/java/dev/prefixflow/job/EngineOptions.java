package dev.prefixflow.job;

import dev.prefixflow.engine.EngineSettings;
import dev.prefixflow.engine.PreemptionMode;
import java.util.Locale;
import picocli.CommandLine.Option;

/** The engine's limits, shared by every command that runs the engine (vLLM's names). */
final class EngineOptions {
    @Option(names = "--max-num-seqs", defaultValue = "32", description = "Sequences running at once (default: ${DEFAULT-VALUE}).")
    int maxNumSeqs;

    @Option(names = "--max-num-batched-tokens", defaultValue = "512",
            description = "Token budget of one engine step (default: ${DEFAULT-VALUE}).")
    int maxNumBatchedTokens;

    @Option(names = "--block-size", defaultValue = "16", description = "KV cache block size in tokens (default: ${DEFAULT-VALUE}).")
    int blockSize;

    @Option(names = "--kv-cache-blocks",
            description = "KV pool size in blocks (default: max-num-seqs full contexts, at most half the free memory).")
    Integer kvCacheBlocks;

    @Option(names = "--no-prefix-caching", description = "Do not share KV blocks between requests with a common prefix.")
    boolean noPrefixCaching;

    @Option(names = "--preemption-mode", defaultValue = "recompute",
            description = "recompute or swap: whether a preempted sequence's evicted full blocks are swapped back in"
                    + " from the KV tier (swap needs --kv-tier-bytes and prefix caching; otherwise it recomputes)"
                    + " (default: ${DEFAULT-VALUE}).")
    String preemptionMode;

    PreemptionMode preemptionMode() {
        return PreemptionMode.valueOf(preemptionMode.toUpperCase(Locale.ROOT));
    }

    /** These options over {@code base} (which names the model, the platform and the adapters). */
    EngineSettings applyTo(EngineSettings base) {
        return base.withLimits(maxNumSeqs, maxNumBatchedTokens, blockSize, kvCacheBlocks == null ? 0 : kvCacheBlocks)
                .withPrefixCaching(!noPrefixCaching).withPreemptionMode(preemptionMode());
    }
}
