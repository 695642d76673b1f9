package dev.prefixflow.connectors.kafka;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.common.TopicPartition;

/** Where a source stops: never (a stream), or at fixed offsets (a batch, so the job finishes). */
public final class StoppingOffsets {

    /** Unbounded: the source reads until the job is stopped. */
    public static final StoppingOffsets NONE = new StoppingOffsets(null);

    /** Bounded by the end of each partition as it is when the job starts. */
    public static final StoppingOffsets LATEST = new StoppingOffsets(OffsetsInitializer.latest());

    private final OffsetsInitializer initializer;

    private StoppingOffsets(OffsetsInitializer initializer) {
        this.initializer = initializer;
    }

    /**
     * Bounded by the given exclusive end offset per partition number; the offsets may lie beyond
     * what the topic holds at start, the source then waits for those records.
     */
    public static StoppingOffsets at(String topic, Map<Integer, Long> endOffsets) {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        endOffsets.forEach((partition, offset) -> offsets.put(new TopicPartition(topic, partition), offset));
        return new StoppingOffsets(OffsetsInitializer.offsets(offsets));
    }

    Optional<OffsetsInitializer> initializer() {
        return Optional.ofNullable(initializer);
    }
}
