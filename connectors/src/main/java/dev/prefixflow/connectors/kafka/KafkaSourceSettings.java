package dev.prefixflow.connectors.kafka;

import java.util.Map;
import java.util.Objects;

/**
 * What a Kafka source of raw record values reads.
 *
 * @param clientProperties passed to the Kafka consumer as given (security.protocol, sasl.*, ssl.*,
 *     ...); they override the source's defaults, including isolation.level=read_committed
 */
public record KafkaSourceSettings(
        String bootstrapServers,
        String topic,
        String groupId,
        StartingOffsets startingOffsets,
        StoppingOffsets stoppingOffsets,
        Map<String, String> clientProperties) {

    public KafkaSourceSettings {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(groupId, "groupId");
        Objects.requireNonNull(startingOffsets, "startingOffsets");
        Objects.requireNonNull(stoppingOffsets, "stoppingOffsets");
        clientProperties = Map.copyOf(clientProperties);
    }
}
