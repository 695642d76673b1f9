package dev.prefixflow.connectors.kafka;

import java.util.Properties;

import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * Builds the exactly-once Flink sink of {@link KeyedBytes}: records become visible to
 * read_committed consumers when the checkpoint that covers them completes, so the job needs
 * checkpointing on; encoding the values is the caller's job.
 */
public final class KafkaKeyedBytesSinks {

    private KafkaKeyedBytesSinks() {}

    public static KafkaSink<KeyedBytes> exactlyOnce(KafkaSinkSettings settings) {
        Properties props = new Properties();
        props.putAll(settings.clientProperties());
        props.setProperty(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
                Long.toString(settings.transactionTimeout().toMillis()));
        return KafkaSink.<KeyedBytes>builder()
                .setBootstrapServers(settings.bootstrapServers())
                .setKafkaProducerConfig(props)
                .setRecordSerializer(new KeyedBytesSerializer(settings.topic()))
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(settings.transactionalIdPrefix())
                .build();
    }
}
