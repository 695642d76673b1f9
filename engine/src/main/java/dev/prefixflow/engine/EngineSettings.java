package dev.prefixflow.engine;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything that makes an engine, as one value that travels from the command line to wherever the
 * engine is built (a command, a Flink subtask): the model file, the platform, the engine's limits
 * (vLLM's names) and the LoRA adapters requests may name. {@link EngineFactory} turns it into an
 * engine. Start from {@link #of} and change what differs with the {@code with...} methods.
 *
 * @param platform the platform's name; null or empty for the best available
 * @param kvCacheBlocks blocks in the KV pool; 0 for {@link EngineConfig#defaultKvBlocks}
 * @param loraPaths adapter files by name, in the order given
 */
public record EngineSettings(String modelPath, String platform, int maxNumSeqs, int maxNumBatchedTokens,
                             int blockSize, int kvCacheBlocks, boolean prefixCaching, PreemptionMode preemptionMode,
                             Map<String, String> loraPaths) implements Serializable {
    private static final long serialVersionUID = 1L;

    public EngineSettings {
        if (maxNumSeqs <= 0 || maxNumBatchedTokens <= 0 || blockSize <= 0 || kvCacheBlocks < 0) {
            throw new IllegalArgumentException("engine limits must be positive (kv cache blocks: 0 for the default): "
                    + "max_num_seqs " + maxNumSeqs + ", max_num_batched_tokens " + maxNumBatchedTokens
                    + ", block size " + blockSize + ", kv cache blocks " + kvCacheBlocks);
        }
        if (preemptionMode == null) {
            throw new IllegalArgumentException("no preemption mode");
        }
        // A LinkedHashMap keeps the order given and is serializable, as Flink needs.
        loraPaths = new LinkedHashMap<>(loraPaths);
    }

    /** vLLM's defaults: 32 sequences, a 512-token budget, blocks of 16, prefix caching, recompute. */
    public static EngineSettings of(String modelPath) {
        return new EngineSettings(modelPath, null, 32, 512, 16, 0, true, PreemptionMode.RECOMPUTE, Map.of());
    }

    public EngineSettings withPlatform(String name) {
        return new EngineSettings(modelPath, name, maxNumSeqs, maxNumBatchedTokens, blockSize, kvCacheBlocks,
                prefixCaching, preemptionMode, loraPaths);
    }

    public EngineSettings withLimits(int seqs, int batchedTokens, int block, int kvBlocks) {
        return new EngineSettings(modelPath, platform, seqs, batchedTokens, block, kvBlocks, prefixCaching,
                preemptionMode, loraPaths);
    }

    public EngineSettings withPrefixCaching(boolean on) {
        return new EngineSettings(modelPath, platform, maxNumSeqs, maxNumBatchedTokens, blockSize, kvCacheBlocks, on,
                preemptionMode, loraPaths);
    }

    public EngineSettings withPreemptionMode(PreemptionMode mode) {
        return new EngineSettings(modelPath, platform, maxNumSeqs, maxNumBatchedTokens, blockSize, kvCacheBlocks,
                prefixCaching, mode, loraPaths);
    }

    public EngineSettings withLora(Map<String, String> paths) {
        return new EngineSettings(modelPath, platform, maxNumSeqs, maxNumBatchedTokens, blockSize, kvCacheBlocks,
                prefixCaching, preemptionMode, paths);
    }

    /** The adapter files by name. */
    public Map<String, Path> loraFiles() {
        Map<String, Path> files = new LinkedHashMap<>();
        loraPaths.forEach((name, path) -> files.put(name, Path.of(path)));
        return files;
    }
}
