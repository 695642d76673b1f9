package dev.prefixflow.connectors.kafka;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Where an exactly-once Kafka sink writes.
 *
 * @param transactionalIdPrefix unique per job writing to the cluster: on restart the sink aborts
 *     lingering transactions under this prefix
 * @param transactionTimeout must stay below the broker's transaction.max.timeout.ms (15 min by
 *     default) and above the longest expected checkpoint interval plus recovery time
 * @param clientProperties passed to the Kafka producer as given (security.protocol, sasl.*, ssl.*, ...)
 */
public record KafkaSinkSettings(
        String bootstrapServers,
        String topic,
        String transactionalIdPrefix,
        Duration transactionTimeout,
        Map<String, String> clientProperties) {

    /** Below the broker's default ceiling of 15 minutes (the connector's own default, 1 hour, is above it). */
    public static final Duration DEFAULT_TRANSACTION_TIMEOUT = Duration.ofMinutes(10);

    public KafkaSinkSettings {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(transactionalIdPrefix, "transactionalIdPrefix");
        Objects.requireNonNull(transactionTimeout, "transactionTimeout");
        if (transactionTimeout.isNegative() || transactionTimeout.isZero()) {
            throw new IllegalArgumentException("transactionTimeout must be positive: " + transactionTimeout);
        }
        clientProperties = Map.copyOf(clientProperties);
    }

    public KafkaSinkSettings(String bootstrapServers, String topic, String transactionalIdPrefix,
            Map<String, String> clientProperties) {
        this(bootstrapServers, topic, transactionalIdPrefix, DEFAULT_TRANSACTION_TIMEOUT, clientProperties);
    }
}
