package dev.prefixflow.job.pipeline;

import static dev.prefixflow.connectors.testing.KafkaTestBroker.bytes;
import static dev.prefixflow.connectors.testing.KafkaTestBroker.string;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.prefixflow.connectors.testing.KafkaTestBroker;
import dev.prefixflow.engine.EngineFactory;
import dev.prefixflow.engine.EngineSession;
import dev.prefixflow.engine.EngineSettings;
import dev.prefixflow.engine.jsonl.ParsedLine;
import dev.prefixflow.engine.jsonl.RequestParser;
import dev.prefixflow.engine.jsonl.ResultWriter;
import dev.prefixflow.flink.InferenceSettings;
import dev.prefixflow.flink.RequestDecoder;
import dev.prefixflow.model.LoadedModel;
import dev.prefixflow.model.ModelLoader;
import dev.prefixflow.platform.Platform;
import dev.prefixflow.platform.Platforms;
import dev.prefixflow.testing.TestModels;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.IntStream;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.executiongraph.AccessExecutionVertex;
import org.apache.flink.runtime.executiongraph.ArchivedExecutionGraph;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole job, end to end: requests produced to a real Kafka broker, the graph of
 * {@link Pipeline#build} on a MiniCluster with RocksDB state, checkpoints and the exactly-once
 * Kafka sinks, results read back with read_committed. Every request is answered exactly once, with
 * the tokens the {@code batch} path gives for the same line (results do not depend on batching),
 * also across a TaskManager lost mid-run. A bad request that names itself gets an error result naming
 * the problem; a record without an id of its own (not UTF-8, not JSON, a non-string id) becomes a dead
 * letter.
 */
class KafkaPipelineTest {
    private static final int N = 500;
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String[] PREFIXES = {
        "In the beginning God created the heaven and the earth. And the earth was without form, and void;",
        "And God said, Let there be light: and there was light. And God saw the light, that it was good:",
        "The LORD is my shepherd; I shall not want. He maketh me to lie down in green pastures:",
        "And it came to pass in those days, that there went out a decree from Caesar Augustus,",
    };
    private static final String[] WORDS = {"and", "the", "waters", "heaven", "unto", "Moses", "Israel", "said",
        "behold", "king", "land"};

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(2)
                    .build());

    private static KafkaTestBroker kafka;
    private static String modelPath;
    /** Request line by id, and what the batch path answers for it. */
    private static Map<String, String> lines;
    private static Map<String, JsonNode> expected;

    @TempDir
    Path checkpoints;

    @BeforeAll
    static void setUp() throws Exception {
        modelPath = TestModels.path("kjv-5m-q80.gguf").toString();
        lines = new LinkedHashMap<>();
        for (int i = 0; i < N; i++) {
            lines.put("req-" + i, requestLine(i));
        }
        expected = batchResults(lines);
        kafka = KafkaTestBroker.start();
    }

    @AfterAll
    static void tearDown() {
        if (kafka != null) {
            kafka.close();
        }
    }

    /** Tests (a) and (c): one run, good requests with bad requests and bad records in between. */
    @Test
    void everyRequestIsAnsweredOnceAsInBatchAndBadRecordsAreDeadLettered() throws Exception {
        String name = "plain";
        createTopics(name);
        Map<String, byte[]> bad = badRecords();
        Map<String, byte[]> rejected = rejectedRequests();
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        List<byte[]> badValues = new ArrayList<>(bad.values());
        badValues.addAll(rejected.values());
        for (int i = 0; i < N; i++) {
            records.add(new ProducerRecord<>(name + "-in", i % 2, bytes("req-" + i), bytes(lines.get("req-" + i))));
            if (i % 40 == 25 && !badValues.isEmpty()) {
                records.add(new ProducerRecord<>(name + "-in", (i / 40) % 2, null, badValues.remove(0)));
            }
        }
        for (byte[] rest : badValues) {
            records.add(new ProducerRecord<>(name + "-in", 1, null, rest));
        }
        kafka.produce(records);

        JobClient job = job(name).executeAsync("pipeline " + name);
        awaitFinished(job);

        List<ConsumerRecord<byte[], byte[]>> out = kafka.readCommitted(name + "-out", N + rejected.size(), TIMEOUT);
        List<ConsumerRecord<byte[], byte[]>> answers = new ArrayList<>();
        Map<String, String> errorById = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : out) {
            JsonNode answer = JSON.readTree(r.value());
            if (answer.get("error").isNull()) {
                answers.add(r);
            } else {
                assertEquals(answer.get("id").asText(), string(r.key()), "the record key is the request id");
                assertEquals(null, errorById.put(answer.get("id").asText(), answer.get("error").get("message").asText()),
                        "answered twice: " + answer);
            }
        }
        assertAnswersMatchBatch(answers);
        rejected.forEach((reason, value) -> {
            String id = idOf(value);
            String got = errorById.get(id);
            assertNotNull(got, "no error result for " + id + ", expected to fail with '" + reason + "': " + errorById);
            assertTrue(got.contains(reason), "error '" + got + "' does not name '" + reason + "'");
        });
        assertEquals(rejected.size(), errorById.size(), "error results: " + errorById);

        List<ConsumerRecord<byte[], byte[]>> dead = kafka.readCommitted(name + "-dead", bad.size(), TIMEOUT);
        assertEquals(bad.size(), dead.size(), "one dead letter per record without an id: " + values(dead));
        Map<String, String> reasonByBytes = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : dead) {
            JsonNode letter = JSON.readTree(r.value());
            assertNotNull(r.key(), "dead letters are keyed: " + letter);
            String b64 = letter.get("bytes_base64").asText();
            assertEquals(null, reasonByBytes.put(b64, letter.get("reason").asText()), "dead-lettered twice: " + letter);
        }
        bad.forEach((reason, value) -> {
            String got = reasonByBytes.get(Base64.getEncoder().encodeToString(value));
            assertNotNull(got, "no dead letter for the record expected to fail with '" + reason + "': "
                    + reasonByBytes.values());
            assertTrue(got.contains(reason), "dead letter reason '" + got + "' does not name '" + reason + "'");
        });
    }

    /**
     * Test (b): the TaskManager goes away after a checkpoint committed some results, while requests
     * are still to come; the job restores from the checkpoint. The source is unbounded so the second
     * half of the requests arrives after the failure however fast the first half was served.
     */
    @Test
    void everyRequestIsAnsweredOnceAcrossALostTaskManager(@InjectMiniCluster MiniCluster cluster) throws Exception {
        String name = "failing";
        createTopics(name);
        List<ProducerRecord<byte[], byte[]>> first = new ArrayList<>();
        List<ProducerRecord<byte[], byte[]>> second = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            (i < N / 2 ? first : second).add(
                    new ProducerRecord<>(name + "-in", i % 2, bytes("req-" + i), bytes(lines.get("req-" + i))));
        }
        kafka.produce(first);

        JobClient job = job(name, false).executeAsync("pipeline " + name);
        // Results become visible to read_committed only when a checkpoint completes: seeing some
        // means the job has a completed checkpoint to restore.
        int committedBefore = awaitSomeCommitted(name + "-out", job);
        cluster.terminateTaskManager(0).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        cluster.startTaskManager();
        kafka.produce(second);

        List<ConsumerRecord<byte[], byte[]>> results = kafka.readCommitted(name + "-out", N, TIMEOUT);
        job.cancel().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        ArchivedExecutionGraph graph = cluster.getArchivedExecutionGraph(job.getJobID())
                .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        int maxAttempt = 0;
        for (AccessExecutionVertex v : graph.getAllExecutionVertices()) {
            maxAttempt = Math.max(maxAttempt, v.getCurrentExecutionAttempt().getAttemptNumber());
        }
        assertTrue(maxAttempt >= 1, "the tasks were never restarted after the TaskManager was terminated");
        assertTrue(committedBefore > 0 && committedBefore <= N / 2, "committed before the failure: " + committedBefore);

        assertAnswersMatchBatch(results);
    }

    /**
     * Ids need not be unique (as in the batch command) and may be missing: requests sharing an id,
     * or named after their line number by each decoder subtask, are all answered, each once.
     */
    @Test
    void requestsWithRepeatedOrMissingIdsAreEachAnswered() throws Exception {
        String name = "ids";
        createTopics(name);
        List<String> input = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            input.add("{\"id\":\"same\",\"prompt\":\"" + PREFIXES[0] + " " + WORDS[i] + "\",\"max_tokens\":5,"
                    + "\"temperature\":0}");
            input.add("{\"prompt\":\"" + PREFIXES[1] + " " + WORDS[i] + "\",\"max_tokens\":4,\"temperature\":0}");
        }
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < input.size(); i++) {
            // Both partitions, so both decoder subtasks number their lines from 1.
            records.add(new ProducerRecord<>(name + "-in", (i / 2) % 2, null, bytes(input.get(i))));
        }
        kafka.produce(records);

        awaitFinished(job(name).executeAsync("pipeline " + name));

        List<ConsumerRecord<byte[], byte[]>> out = kafka.readCommitted(name + "-out", input.size(), TIMEOUT);
        List<String> want = new ArrayList<>();
        for (JsonNode r : batchResults(input).values()) {
            want.add(answer(r));
        }
        List<String> got = new ArrayList<>();
        int same = 0;
        for (ConsumerRecord<byte[], byte[]> r : out) {
            JsonNode node = JSON.readTree(r.value());
            assertTrue(node.get("error").isNull(), node.toString());
            same += node.get("id").asText().equals("same") ? 1 : 0;
            got.add(answer(node));
        }
        assertEquals(want.stream().sorted().toList(), got.stream().sorted().toList(),
                "one answer per request line, as the batch path gives");
        assertEquals(4, same, "answers for the four requests with id 'same'");
    }

    private static String answer(JsonNode r) {
        return r.get("token_ids") + " " + r.get("text") + " " + r.get("finish_reason");
    }

    private static void createTopics(String name) throws Exception {
        kafka.createTopic(name + "-in", 2);
        kafka.createTopic(name + "-out", 2);
        kafka.createTopic(name + "-dead", 1);
    }

    private StreamExecutionEnvironment job(String name) {
        return job(name, true);
    }

    /** @param bounded whether the source stops at the offsets current when the job starts */
    private StreamExecutionEnvironment job(String name, boolean bounded) {
        Configuration conf = new Configuration();
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMillis(500));
        conf.set(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE, CheckpointingMode.EXACTLY_ONCE);
        conf.set(CheckpointingOptions.ENABLE_CHECKPOINTS_AFTER_TASKS_FINISH, true);
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        conf.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        String broker = "kafka://" + kafka.bootstrapServers() + "/";
        PipelineSpec spec = new PipelineSpec(Endpoint.parse(broker + name + "-in"),
                List.of(Endpoint.parse(broker + name + "-out")), Endpoint.parse(broker + name + "-dead"),
                new RequestDecoder.Routing(true, 16, 64),
                new InferenceSettings(EngineSettings.of(modelPath).withLimits(16, 256, 16, 0), 64, 0),
                Map.of("group.id", name + "-group"), bounded);
        Pipeline.build(env, spec);
        return env;
    }

    /** Request i: one of a few shared prefixes, a varied suffix, 4-6 tokens, greedy or sampled. */
    private static String requestLine(int i) {
        String prompt = PREFIXES[i % PREFIXES.length] + " " + WORDS[i % WORDS.length] + " "
                + WORDS[(i / 7) % WORDS.length] + " " + i;
        var node = JSON.createObjectNode().put("id", "req-" + i).put("prompt", prompt).put("max_tokens", 4 + i % 3);
        switch (i % 3) {
            case 0 -> node.put("temperature", 0);
            case 1 -> node.put("temperature", 0.8).put("seed", 1000 + i);
            default -> node.put("temperature", 0.7).put("top_p", 0.9); // seed derived from the id
        }
        return node.toString();
    }

    /** The records without an id of their own, by the words their dead letter's reason must contain. */
    private static Map<String, byte[]> badRecords() {
        Map<String, byte[]> bad = new LinkedHashMap<>();
        bad.put("not valid JSON", bytes("this is not json"));
        bad.put("id must be a string", bytes("{\"id\":7,\"prompt\":\"And God said\"}"));
        bad.put("not valid UTF-8", new byte[] {'{', '"', 'i', 'd', '"', ':', '"', (byte) 0xff, (byte) 0xfe, '"', '}'});
        return bad;
    }

    /** Bad requests that name themselves, by the words their error result must contain. */
    private static Map<String, byte[]> rejectedRequests() {
        Map<String, byte[]> bad = new LinkedHashMap<>();
        bad.put("no prompt", bytes("{\"id\":\"bad-no-prompt\",\"max_tokens\":4}"));
        bad.put("max_tokens must be an integer", bytes("{\"id\":\"bad-ten\",\"prompt\":\"And God said\",\"max_tokens\":\"ten\"}"));
        bad.put("max_tokens must be >= 0", bytes("{\"id\":\"bad-negative\",\"prompt\":\"And God said\",\"max_tokens\":-3}"));
        bad.put("temperature must be a number", bytes("{\"id\":\"bad-temperature\",\"prompt\":\"x\",\"temperature\":\"hot\"}"));
        bad.put("has no chat template", bytes("{\"id\":\"bad-chat\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"));
        String ids = IntStream.range(0, 600).mapToObj(i -> Integer.toString(100 + i % 200))
                .reduce((a, b) -> a + "," + b).orElseThrow();
        bad.put("context length", bytes("{\"id\":\"bad-long\",\"prompt_token_ids\":[" + ids + "],\"max_tokens\":4}"));
        return bad;
    }

    private static String idOf(byte[] record) {
        try {
            return JSON.readTree(record).get("id").asText();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The batch command's path: one engine, every request in one batch, results by request id. */
    private static Map<String, JsonNode> batchResults(Map<String, String> requests) throws Exception {
        List<String> ids = List.copyOf(requests.keySet());
        Map<String, JsonNode> byId = new HashMap<>();
        batchResults(List.copyOf(requests.values())).forEach((index, r) -> byId.put(ids.get(index), r));
        return byId;
    }

    /** Results by line index, so ids in the lines need not be unique. */
    private static Map<Integer, JsonNode> batchResults(List<String> requests) throws Exception {
        Platform platform = Platforms.select(null);
        Map<Integer, JsonNode> out = new HashMap<>();
        try (LoadedModel model = ModelLoader.load(Path.of(modelPath), platform)) {
            EngineSession<Integer> session = new EngineSession<>(EngineFactory.create(model, platform,
                    EngineSettings.of(modelPath)));
            RequestParser parser = new RequestParser(model.tokenizer(), model.config().contextLength());
            ResultWriter writer = new ResultWriter(0, model.tokenizer());
            List<ParsedLine> parsed = new ArrayList<>();
            for (String text : requests) {
                ParsedLine line = parser.parse(text, parsed.size() + 1);
                assertTrue(!line.isBad(), text + ": " + line.problem());
                session.add(line.request(), parsed.size());
                parsed.add(line);
            }
            for (EngineSession.Finished<Integer> f : session.runUntilDone()) {
                out.put(f.attachment(), JSON.readTree(writer.result(parsed.get(f.attachment()), f.choices())));
            }
        }
        assertEquals(requests.size(), out.size(), "the batch path answered every request");
        return out;
    }

    private static void assertAnswersMatchBatch(List<ConsumerRecord<byte[], byte[]>> records) throws Exception {
        Map<String, JsonNode> byId = new TreeMap<>();
        List<String> duplicates = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            JsonNode answer = JSON.readTree(r.value());
            String id = answer.get("id").asText();
            assertEquals(id, string(r.key()), "the record key is the request id");
            if (byId.put(id, answer) != null) {
                duplicates.add(id);
            }
        }
        assertEquals(List.of(), duplicates, "ids answered more than once");
        assertEquals(N, records.size(), "number of committed results");
        assertEquals(expected.keySet().stream().sorted().toList(), List.copyOf(byId.keySet()), "answered ids");
        for (var e : byId.entrySet()) {
            JsonNode want = expected.get(e.getKey());
            JsonNode got = e.getValue();
            assertTrue(got.get("error").isNull(), e.getKey() + " failed: " + got);
            for (String field : List.of("token_ids", "text", "finish_reason")) {
                assertEquals(want.get(field), got.get(field), e.getKey() + " " + field + " differs from the batch path");
            }
        }
    }

    /**
     * Waits until at least one result is committed and returns how many there were then; fails if
     * the job ends or every result is committed first (the failure would come too late to test).
     */
    private static int awaitSomeCommitted(String topic, JobClient job) throws Exception {
        Map<String, Object> props = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        int seen = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, TIMEOUT).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (seen == 0) {
                seen += consumer.poll(Duration.ofMillis(20)).count();
                if (job.getJobStatus().get().isGloballyTerminalState()) {
                    fail("the job ended before a failure could be injected");
                }
                if (System.nanoTime() > deadline) {
                    fail("no result committed within " + TIMEOUT);
                }
            }
        }
        return seen;
    }

    private static void awaitFinished(JobClient job) throws Exception {
        try {
            job.getJobExecutionResult().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            job.cancel();
            throw new AssertionError("job " + job.getJobID() + " did not finish within " + TIMEOUT, e);
        }
    }

    private static List<String> values(List<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream().map(r -> string(r.value())).toList();
    }
}
