package dev.prefixflow.connectors.kafka;

import java.util.Properties;

import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Builds the Flink source of Kafka record values as raw bytes; decoding them is the caller's job. */
public final class KafkaBytesSources {

    private KafkaBytesSources() {}

    public static KafkaSource<byte[]> create(KafkaSourceSettings settings) {
        Properties props = new Properties();
        // Only committed records: upstream writers may be transactional (e.g. another exactly-once job).
        props.setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.putAll(settings.clientProperties());

        KafkaSourceBuilder<byte[]> builder = KafkaSource.<byte[]>builder()
                .setBootstrapServers(settings.bootstrapServers())
                .setTopics(settings.topic())
                .setGroupId(settings.groupId())
                .setStartingOffsets(starting(settings.startingOffsets()))
                .setDeserializer(KafkaRecordDeserializationSchema.valueOnly(ByteArrayDeserializer.class))
                .setProperties(props);
        settings.stoppingOffsets().initializer().ifPresent(builder::setBounded);
        return builder.build();
    }

    // The connector's committedOffsets(...) still takes the reset strategy type that Kafka 4 deprecated.
    @SuppressWarnings("deprecation")
    private static OffsetsInitializer starting(StartingOffsets startingOffsets) {
        return switch (startingOffsets) {
            case EARLIEST -> OffsetsInitializer.earliest();
            case LATEST -> OffsetsInitializer.latest();
            case COMMITTED -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
        };
    }
}
