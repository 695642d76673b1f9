package dev.prefixflow.job.arrow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prefixflow.connectors.arrow.ArrowFiles;
import dev.prefixflow.flink.InferenceResult;
import dev.prefixflow.job.pipeline.ResultArrowRows;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bounded job on a real MiniCluster writes results through {@link ArrowFiles#sink}; the committed
 * files are read back with Arrow Java and with the independent JavaScript implementation.
 */
class ArrowFileSinkJobTest {

    private static final int N = 50;
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final List<String> FIELDS = List.of("id", "choice_index", "prompt_token_ids", "token_ids", "text",
            "finish_reason", "prompt_tokens", "cached_tokens", "completion_tokens", "queued_ms", "ttft_ms", "e2e_ms",
            "error");
    private static final List<String> TYPES = List.of("Utf8", "Int32", "List<Int32>", "List<Int32>", "Utf8", "Utf8", "Int32",
            "Int32", "Int32", "Float64", "Float64", "Float64", "Utf8");
    private static final List<Boolean> NULLABLE = List.of(false, false, false, false, true, true, false, false, false,
            false, false, false, true);

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(2)
                    .build());

    @TempDir
    static Path work;

    private static List<ResultRow> expected;
    private static List<Path> files;

    @BeforeAll
    static void runJob() throws Exception {
        List<InferenceResult> results = SampleResults.of(N);
        expected = sorted(results.stream().map(ResultRow::of).toList());
        Path out = work.resolve("out");

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(configuration());
        env.setParallelism(2);
        // Rebalanced, so both sink subtasks write files.
        env.fromData(results).rebalance().sinkTo(ArrowFiles.sink(out.toString(), new ResultArrowRows()));
        JobClient job = env.executeAsync("arrow-files");
        try {
            job.getJobExecutionResult().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            job.cancel();
            throw new AssertionError("job did not finish within " + TIMEOUT, e);
        }
        files = listFiles(out);
    }

    @Test
    void onlyCommittedPartFilesAreLeft() {
        assertTrue(files.size() >= 2, "one file or more per sink subtask: " + files);
        for (Path f : files) {
            String name = f.getFileName().toString();
            assertTrue(name.startsWith("part-") && name.endsWith(".arrow"), "not a committed part file: " + f);
        }
    }

    @Test
    void arrowJavaReadsEveryRowExactlyOnce() throws Exception {
        assertEquals(expected, sorted(ArrowJavaFiles.read(files)));
    }

    @Test
    void theJavaScriptImplementationReadsTheSameSchemaAndRows() throws Exception {
        JsonNode read = NodeArrow.read(files);
        List<ResultRow> rows = new ArrayList<>();
        assertEquals(files.size(), read.get("files").size());
        for (JsonNode file : read.get("files")) {
            String path = file.get("path").textValue();
            assertTrue(file.get("fileFormat").booleanValue(), "not the IPC file format: " + path);
            assertTrue(file.get("batches").intValue() >= 1, "no record batch in " + path);
            JsonNode schema = file.get("schema");
            assertEquals(FIELDS, schema.findValuesAsText("name"), path);
            assertEquals(TYPES, schema.findValuesAsText("type"), path);
            assertEquals(NULLABLE, schema.findValues("nullable").stream().map(JsonNode::booleanValue).toList(), path);
            file.get("rows").forEach(row -> rows.add(ResultRow.fromJson(row)));
        }
        assertEquals(expected, sorted(rows));
    }

    private static Configuration configuration() {
        Configuration conf = new Configuration();
        // Bulk files roll on every checkpoint; the last ones commit on the checkpoint after the input ends.
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMillis(300));
        conf.set(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE, CheckpointingMode.EXACTLY_ONCE);
        conf.set(CheckpointingOptions.ENABLE_CHECKPOINTS_AFTER_TASKS_FINISH, true);
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, work.resolve("checkpoints").toUri().toString());
        conf.set(StateBackendOptions.STATE_BACKEND, "hashmap");
        return conf;
    }

    /** Every file under the directory, hidden ones (in-progress parts) included. */
    private static List<Path> listFiles(Path dir) throws Exception {
        try (Stream<Path> all = Files.walk(dir)) {
            return all.filter(Files::isRegularFile).sorted().toList();
        }
    }

    private static List<ResultRow> sorted(List<ResultRow> rows) {
        return rows.stream().sorted(Comparator.comparing(ResultRow::id)).toList();
    }
}
