package dev.prefixflow.connectors.kafka;

import static dev.prefixflow.connectors.testing.KafkaTestBroker.bytes;
import static dev.prefixflow.connectors.testing.KafkaTestBroker.string;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;

import dev.prefixflow.connectors.testing.KafkaTestBroker;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.state.StateBackendLoader;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka to Kafka through a keyed operator on a real MiniCluster with RocksDB state and the
 * exactly-once sink: every input id comes out exactly once, also across a failure and restart.
 */
class ExactlyOnceKafkaJobTest {

    private static final int N = 200;
    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(2)
                    .build());

    /** Set by the first (and only) injected failure; static because the MiniCluster shares this JVM. */
    private static final AtomicBoolean FAILED_ONCE = new AtomicBoolean();

    private static KafkaTestBroker kafka;

    @TempDir
    Path checkpoints;

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
    void configurationSelectsRocksDb() throws Exception {
        var backend = StateBackendLoader.loadStateBackendFromConfig(
                jobConfiguration(), getClass().getClassLoader(), null);
        assertInstanceOf(EmbeddedRocksDBStateBackend.class, backend);
    }

    @Test
    void everyRecordIsWrittenExactlyOnce() throws Exception {
        kafka.createTopic("plain-in", 2);
        kafka.createTopic("plain-out", 2);
        kafka.produce(inputs("plain-in", 0, N));

        JobClient job = pipeline("plain", StoppingOffsets.LATEST, new Uppercase()).executeAsync();
        awaitFinished(job);

        assertExactlyOncePerId(kafka.readCommitted("plain-out", N, TIMEOUT));
    }

    @Test
    void everyRecordIsWrittenExactlyOnceAcrossAFailure() throws Exception {
        kafka.createTopic("failing-in", 2);
        kafka.createTopic("failing-out", 2);
        FAILED_ONCE.set(false);
        // Input ids go to partition id % 2, so each partition ends at offset N / 2.
        StoppingOffsets end = StoppingOffsets.at("failing-in", Map.of(0, (long) N / 2, 1, (long) N / 2));

        kafka.produce(inputs("failing-in", 0, N / 2));
        JobClient job = pipeline("failing", end, new UppercaseFailingOnceFrom(N / 2)).executeAsync();
        // The first half is visible to read_committed only once a checkpoint completed and committed it.
        kafka.readCommitted("failing-out", N / 2, TIMEOUT);
        // The second half makes the operator fail on its first record, after that checkpoint.
        kafka.produce(inputs("failing-in", N / 2, N));
        awaitFinished(job);

        assertTrue(FAILED_ONCE.get(), "the injected failure did not happen");
        assertExactlyOncePerId(kafka.readCommitted("failing-out", N, TIMEOUT));
    }

    private StreamExecutionEnvironment pipeline(String name, StoppingOffsets end,
            MapFunction<KeyedBytes, KeyedBytes> transform) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(jobConfiguration());
        env.setParallelism(2);
        var source = KafkaBytesSources.create(new KafkaSourceSettings(kafka.bootstrapServers(), name + "-in",
                name + "-group", StartingOffsets.EARLIEST, end, Map.of()));
        var sink = KafkaKeyedBytesSinks.exactlyOnce(new KafkaSinkSettings(kafka.bootstrapServers(), name + "-out",
                name + "-tx", Map.of()));
        env.fromSource(source, WatermarkStrategy.noWatermarks(), name + "-source")
                .map(new ParseInput())
                .keyBy(KeyedBytes::key)
                .map(transform)
                .sinkTo(sink);
        return env;
    }

    private Configuration jobConfiguration() {
        Configuration conf = new Configuration();
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMillis(500));
        conf.set(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE, CheckpointingMode.EXACTLY_ONCE);
        // A bounded job commits its last transaction on the checkpoint taken after its tasks finish.
        conf.set(CheckpointingOptions.ENABLE_CHECKPOINTS_AFTER_TASKS_FINISH, true);
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        conf.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 2);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
        return conf;
    }

    /** Input values are "id:text"; ids from..to-1 go to partition id % 2. */
    private static List<ProducerRecord<byte[], byte[]>> inputs(String topic, int from, int to) {
        return IntStream.range(from, to)
                .mapToObj(i -> new ProducerRecord<>(topic, i % 2, (byte[]) null, bytes(i + ":record " + i)))
                .toList();
    }

    private static void awaitFinished(JobClient job) throws Exception {
        try {
            job.getJobExecutionResult().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            job.cancel();
            throw new AssertionError("job " + job.getJobID() + " did not finish within " + TIMEOUT, e);
        }
    }

    private static void assertExactlyOncePerId(List<ConsumerRecord<byte[], byte[]>> records) {
        List<String> expected = IntStream.range(0, N).mapToObj(i -> i + "=RECORD " + i).sorted().toList();
        List<String> actual = records.stream().map(r -> string(r.key()) + "=" + string(r.value())).sorted().toList();
        assertEquals(N, actual.size(), "number of committed output records");
        assertEquals(expected, actual);
    }

    /** Splits "id:text" into the id (the key) and the text bytes. */
    static final class ParseInput implements MapFunction<byte[], KeyedBytes> {
        @Override
        public KeyedBytes map(byte[] value) {
            String line = string(value);
            int colon = line.indexOf(':');
            return new KeyedBytes(line.substring(0, colon), bytes(line.substring(colon + 1)));
        }
    }

    static class Uppercase implements MapFunction<KeyedBytes, KeyedBytes> {
        @Override
        public KeyedBytes map(KeyedBytes in) {
            return new KeyedBytes(in.key(), bytes(string(in.value()).toUpperCase()));
        }
    }

    /** Throws once, on the first record whose id is at least {@code failFrom}, in whichever subtask sees it. */
    static final class UppercaseFailingOnceFrom extends Uppercase {
        private final int failFrom;

        UppercaseFailingOnceFrom(int failFrom) {
            this.failFrom = failFrom;
        }

        @Override
        public KeyedBytes map(KeyedBytes in) {
            if (Integer.parseInt(in.key()) >= failFrom && FAILED_ONCE.compareAndSet(false, true)) {
                throw new IllegalStateException("injected failure at id " + in.key());
            }
            return super.map(in);
        }
    }
}
