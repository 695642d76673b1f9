package dev.prefixflow.connectors.testing;

import static dev.prefixflow.connectors.testing.KafkaTestBroker.bytes;
import static dev.prefixflow.connectors.testing.KafkaTestBroker.record;
import static dev.prefixflow.connectors.testing.KafkaTestBroker.string;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class KafkaTestBrokerTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private static KafkaTestBroker kafka;

    @BeforeAll
    static void startBroker() throws Exception {
        kafka = KafkaTestBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void producedRecordsAreConsumedWithKeysAndValues() throws Exception {
        kafka.createTopic("round-trip", 2);
        List<ProducerRecord<byte[], byte[]>> sent = IntStream.range(0, 20)
                .mapToObj(i -> record("round-trip", "k" + i, "v" + i))
                .toList();
        kafka.produce(sent);

        List<ConsumerRecord<byte[], byte[]>> got = kafka.readCommitted("round-trip", 20, TIMEOUT);

        assertEquals(20, got.size());
        assertEquals(
                IntStream.range(0, 20).mapToObj(i -> "k" + i + "=v" + i).sorted().toList(),
                got.stream().map(r -> string(r.key()) + "=" + string(r.value())).sorted().toList());
    }

    @Test
    void abortedTransactionIsInvisibleToReadCommitted() throws Exception {
        kafka.createTopic("transactions", 1);
        try (KafkaProducer<byte[], byte[]> producer = kafka.transactionalProducer("test-tx")) {
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("transactions", bytes("a"), bytes("aborted")));
            producer.flush();
            producer.abortTransaction();

            producer.beginTransaction();
            producer.send(new ProducerRecord<>("transactions", bytes("c"), bytes("committed")));
            producer.commitTransaction();
        }

        List<ConsumerRecord<byte[], byte[]>> got = kafka.readCommitted("transactions", 1, TIMEOUT);

        assertEquals(List.of("committed"), got.stream().map(r -> string(r.value())).toList());
    }
}
