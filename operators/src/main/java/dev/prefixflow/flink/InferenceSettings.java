package dev.prefixflow.flink;

import java.io.Serializable;

/**
 * What each inference subtask runs: the model file, the platform (null: the best available), the
 * engine limits (vLLM's names; {@code kvCacheBlocks} 0 means the default for the memory) and the
 * bound on waiting requests past which the operator stops taking input. {@code kvTierBytes} bounds
 * each subtask's evicted-block tier (keyed state); 0 turns the tier off.
 */
public record InferenceSettings(String modelPath, String platform, int maxNumSeqs, int maxNumBatchedTokens,
                                int blockSize, int kvCacheBlocks, boolean prefixCaching, int maxWaiting,
                                long kvTierBytes)
        implements Serializable {
}
