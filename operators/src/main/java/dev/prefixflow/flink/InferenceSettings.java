package dev.prefixflow.flink;

import dev.prefixflow.engine.EngineSettings;
import java.io.Serializable;

/**
 * What each inference subtask runs: the engine's settings, the bound on waiting requests past which the
 * operator stops taking input, {@code kvTierBytes}, the bound of each subtask's evicted-block tier
 * (keyed state; 0 turns the tier off), and the chat template that replaces the model's own when
 * requests' messages are rendered (null: the model's).
 */
public record InferenceSettings(EngineSettings engine, int maxWaiting, long kvTierBytes, String chatTemplate)
        implements Serializable {
    private static final long serialVersionUID = 1L;

    /** With the model's own chat template. */
    public InferenceSettings(EngineSettings engine, int maxWaiting, long kvTierBytes) {
        this(engine, maxWaiting, kvTierBytes, null);
    }
}
