package dev.prefixflow.connectors.kafka;

import java.nio.charset.StandardCharsets;

import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Writes a {@link KeyedBytes} as a record keyed by its UTF-8 id, so one id always lands in one partition. */
final class KeyedBytesSerializer implements KafkaRecordSerializationSchema<KeyedBytes> {

    private static final long serialVersionUID = 1L;

    private final String topic;

    KeyedBytesSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(KeyedBytes element, KafkaSinkContext context, Long timestamp) {
        return new ProducerRecord<>(topic, null, timestamp, element.key().getBytes(StandardCharsets.UTF_8),
                element.value());
    }
}
