package dev.prefixflow.flink;

import dev.prefixflow.engine.PreemptionMode;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What each inference subtask runs: the model file, the platform (null: the best available), the
 * engine limits (vLLM's names; {@code kvCacheBlocks} 0 means the default for the memory), the bound
 * on waiting requests past which the operator stops taking input, {@code kvTierBytes} the bound of
 * each subtask's evicted-block tier (keyed state; 0 turns the tier off), the preemption mode (swap
 * uses that tier), and the LoRA adapter files
 * that requests may name ({@code "lora": NAME}), and the chat template that replaces the model's
 * own (null: the model's).
 */
public record InferenceSettings(String modelPath, String platform, int maxNumSeqs, int maxNumBatchedTokens,
                                int blockSize, int kvCacheBlocks, boolean prefixCaching, int maxWaiting,
                                long kvTierBytes, PreemptionMode preemptionMode, Map<String, String> loraPaths,
                                String chatTemplate)
        implements Serializable {

    public InferenceSettings {
        // A LinkedHashMap keeps the order given and is serializable, as Flink needs.
        loraPaths = new LinkedHashMap<>(loraPaths);
    }

    /** The model's own chat template. */
    public InferenceSettings(String modelPath, String platform, int maxNumSeqs, int maxNumBatchedTokens,
                             int blockSize, int kvCacheBlocks, boolean prefixCaching, int maxWaiting,
                             long kvTierBytes, PreemptionMode preemptionMode, Map<String, String> loraPaths) {
        this(modelPath, platform, maxNumSeqs, maxNumBatchedTokens, blockSize, kvCacheBlocks, prefixCaching,
                maxWaiting, kvTierBytes, preemptionMode, loraPaths, null);
    }

    /** Preemption by recompute. */
    public InferenceSettings(String modelPath, String platform, int maxNumSeqs, int maxNumBatchedTokens,
                             int blockSize, int kvCacheBlocks, boolean prefixCaching, int maxWaiting,
                             long kvTierBytes, Map<String, String> loraPaths) {
        this(modelPath, platform, maxNumSeqs, maxNumBatchedTokens, blockSize, kvCacheBlocks, prefixCaching,
                maxWaiting, kvTierBytes, PreemptionMode.RECOMPUTE, loraPaths);
    }

    /** The adapter files by name. */
    public Map<String, Path> loraFiles() {
        Map<String, Path> files = new LinkedHashMap<>();
        loraPaths.forEach((name, path) -> files.put(name, Path.of(path)));
        return files;
    }
}
