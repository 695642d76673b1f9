package dev.prefixflow.flink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefixflow.engine.EngineSettings;
import dev.prefixflow.testing.TestModels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.lib.NumberSequenceSource.NumberSequenceSplit;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiter;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The evicted-block tier in a real job (MiniCluster, RocksDB state backend, incremental
 * checkpoints, the real model). Twelve distinct 64-token prefixes need far more blocks than a
 * 16-block pool holds. Pass 1 fills the tier; a savepoint is taken; pass 2 repeats the prefixes,
 * once in the same job (the uninterrupted run) and once in jobs restored from the savepoint at
 * other parallelisms: the tier's entries follow their keys, and the restored runs swap in (nearly)
 * as many prefix tokens as the uninterrupted run, with the same outputs.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class EvictedBlockTierJobTest {
    static final int PREFIXES = 12;
    static final int PREFIX_TOKENS = 64;
    static final String MODEL = "kjv-5m-q80.gguf";
    static final List<String> LINES = lines(new Random(9));
    static final Duration TIMEOUT = Duration.ofSeconds(120);

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

    static Path work;
    static String savepoint;
    static Map<String, InferenceResult> firstPass;
    static Map<String, InferenceResult> uninterrupted;

    @BeforeAll
    static void runBothPassesWithASavepointBetween() throws Exception {
        work = Files.createTempDirectory("tier-job-test");
        Gate.reset(0, PREFIXES);
        try (Job job = Job.start(2, MODEL, null)) {
            firstPass = job.take(PREFIXES);
            savepoint = job.client.triggerSavepoint(work.resolve("savepoints").toUri().toString(),
                    SavepointFormatType.CANONICAL).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            Gate.allow(2 * PREFIXES);
            uninterrupted = job.take(PREFIXES);
        }
    }

    @AfterAll
    static void deleteWork() throws Exception {
        try (var files = Files.walk(work)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void uninterruptedSecondPassComesFromTheTier() {
        assertEquals(PREFIXES, firstPass.size());
        assertEquals(0, tierTokens(firstPass), "distinct prefixes: nothing to swap in on the first pass");
        // The pool holds at most 3 prefixes per subtask; the others must have come back from the tier.
        assertTrue(tierTokens(uninterrupted) >= (PREFIXES - 6) * PREFIX_TOKENS, "tier tokens " + tierTokens(uninterrupted));
        for (InferenceResult r : uninterrupted.values()) {
            assertEquals(PREFIX_TOKENS, r.cachedTokens, r.id);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 4})
    void restoredAtAnotherParallelismKeepsTheTier(int parallelism) throws Exception {
        Map<String, InferenceResult> restored = secondPassRestored(parallelism, MODEL);
        assertSameTokens(uninterrupted, restored);
        long want = tierTokens(uninterrupted);
        long got = tierTokens(restored);
        System.out.printf("tier tokens on pass 2: uninterrupted %d, restored at parallelism %d: %d%n", want,
                parallelism, got);
        assertTrue(got >= 0.9 * want, "restored " + got + " vs uninterrupted " + want);
    }

    @Test
    void anotherModelNeverUsesTheTier() throws Exception {
        Map<String, InferenceResult> restored = secondPassRestored(2, "kjv-5m-f32.gguf");
        assertEquals(PREFIXES, restored.size());
        assertEquals(0, tierTokens(restored), "entries stamped for the Q8_0 model are rejected");
    }

    static Map<String, InferenceResult> secondPassRestored(int parallelism, String model) throws Exception {
        Gate.reset(PREFIXES, 2 * PREFIXES);
        try (Job job = Job.start(parallelism, model, savepoint)) {
            return job.take(PREFIXES);
        }
    }

    static void assertSameTokens(Map<String, InferenceResult> want, Map<String, InferenceResult> got) {
        assertEquals(want.keySet(), got.keySet());
        for (InferenceResult w : want.values()) {
            assertArrayEquals(w.tokenIds, got.get(w.id).tokenIds, w.id);
        }
    }

    static long tierTokens(Map<String, InferenceResult> results) {
        return results.values().stream().mapToLong(r -> r.tierCachedTokens).sum();
    }

    /** One running job: requests from the gated generator, results collected. */
    record Job(JobClient client, CloseableIterator<InferenceResult> results) implements AutoCloseable {

        static Job start(int parallelism, String model, String savepoint) throws Exception {
            Configuration conf = new Configuration();
            conf.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
            conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
            conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
            conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, work.resolve("checkpoints").toUri().toString());
            if (savepoint != null) {
                conf.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
                // The result collector's state: a new collector per job.
                conf.set(StateRecoveryOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE, true);
            }
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
            env.setParallelism(parallelism);
            String modelPath = TestModels.path(model).toString();
            DataStream<byte[]> requests = env.fromSource(new DataGeneratorSource<>(Job::line, Long.MAX_VALUE,
                            new Gate(), PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO),
                    WatermarkStrategy.noWatermarks(), "requests").setParallelism(1).uid("requests");
            DataStream<InferenceResult> results = requests
                    .process(new RequestDecoder(modelPath, new RequestDecoder.Routing(true, 16, PREFIX_TOKENS)),
                            TypeInformation.of(PromptRecord.class)).setParallelism(1).uid("decode")
                    .keyBy(record -> record.prefixKey, Types.STRING)
                    .transform("inference", TypeInformation.of(InferenceResult.class), new InferenceOperator(
                            new InferenceSettings(EngineSettings.of(modelPath).withLimits(2, 128, 16, 16), 8, 8L << 20)))
                    .uid("inference");
            CloseableIterator<InferenceResult> collected = results.collectAsync();
            return new Job(env.executeAsync("tier test"), collected);
        }

        /** Line {@code index} of the workload; past its end, blank lines (which the decoder skips). */
        static byte[] line(long index) {
            Gate.NEXT.set(index + 1);
            return (index < LINES.size() ? LINES.get((int) index) : "").getBytes(StandardCharsets.UTF_8);
        }

        Map<String, InferenceResult> take(int n) {
            Map<String, InferenceResult> out = new HashMap<>();
            while (out.size() < n) {
                InferenceResult r = results.next();
                out.put(r.id, r);
            }
            return out;
        }

        @Override
        public void close() throws Exception {
            client.cancel().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            // Wait until every task has stopped: the gate is static, and a source still winding down
            // would advance it under the next job.
            try {
                client.getJobExecutionResult().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            } catch (ExecutionException cancelled) {
                // the expected end of a cancelled job
            }
            results.close();
        }
    }

    /**
     * Holds the source back before record {@link #ALLOWED} until the test allows more: the source
     * waits on a future, so checkpoints and savepoints go on meanwhile. Static: the MiniCluster runs in
     * this JVM.
     */
    static final class Gate implements RateLimiterStrategy<NumberSequenceSplit> {
        static final AtomicLong NEXT = new AtomicLong();
        static final AtomicLong ALLOWED = new AtomicLong();
        static final AtomicReference<CompletableFuture<Void>> OPENED = new AtomicReference<>(new CompletableFuture<>());

        static void reset(long next, long allowed) {
            NEXT.set(next);
            allow(allowed);
        }

        static void allow(long allowed) {
            ALLOWED.set(allowed);
            OPENED.getAndSet(new CompletableFuture<>()).complete(null);
        }

        @Override
        public RateLimiter<NumberSequenceSplit> createRateLimiter(int parallelism) {
            return permits -> {
                // Read the future before the check: allow() sets the limit before completing it.
                CompletableFuture<Void> opened = OPENED.get();
                return NEXT.get() < ALLOWED.get() ? CompletableFuture.completedFuture(null) : opened;
            };
        }
    }

    /** Two passes over twelve distinct 64-token prefixes, each request with its own 5-token suffix. */
    static List<String> lines(Random random) {
        int vocab = 2000; // the model has 2048 tokens
        int[][] prefixes = IntStream.range(0, PREFIXES).mapToObj(i -> random.ints(PREFIX_TOKENS, 3, vocab).toArray())
                .toArray(int[][]::new);
        List<String> out = new ArrayList<>();
        for (int pass = 0; pass < 2; pass++) {
            for (int i = 0; i < PREFIXES; i++) {
                int[] prompt = IntStream.concat(IntStream.of(prefixes[i]), random.ints(5, 3, vocab)).toArray();
                out.add("{\"id\":\"p" + pass + "-" + i + "\",\"prompt_token_ids\":" + Arrays.stream(prompt)
                        .mapToObj(Integer::toString).collect(Collectors.joining(",", "[", "]"))
                        + ",\"max_tokens\":4,\"temperature\":0,\"ignore_eos\":true}");
            }
        }
        return out;
    }
}
