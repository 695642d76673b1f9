package dev.prefixflow.flink;

import dev.prefixflow.engine.EngineSettings;
import java.io.Serializable;

/**
 * What each inference subtask runs: the engine's settings, the bound on waiting requests past which the
 * operator stops taking input, and {@code kvTierBytes}, the bound of each subtask's evicted-block tier
 * (keyed state; 0 turns the tier off).
 */
public record InferenceSettings(EngineSettings engine, int maxWaiting, long kvTierBytes) implements Serializable {
    private static final long serialVersionUID = 1L;
}
