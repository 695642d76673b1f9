package dev.prefixflow.job.pipeline;

import dev.prefixflow.job.progress.ProgressLine;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.plugin.PluginUtils;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Runs the job on an embedded Flink (a MiniCluster in this JVM) with the RocksDB state backend and
 * checkpoints, printing progress while it runs and a summary table when it ends.
 */
public final class LocalRun {
    /** How often the job's state is polled for progress. */
    private static final long POLL_MILLIS = 250;

    private final PrintWriter err;
    private final ProgressLine.Style progressStyle;
    private final int parallelism;
    private final Duration checkpointInterval;
    private final Path checkpointDir;

    public LocalRun(PrintWriter err, ProgressLine.Style progressStyle, int parallelism, Duration checkpointInterval,
            Path checkpointDir) {
        this.err = err;
        this.progressStyle = progressStyle;
        this.parallelism = parallelism;
        this.checkpointInterval = checkpointInterval;
        this.checkpointDir = checkpointDir;
    }

    public int run(PipelineSpec spec, Endpoint input) throws Exception {
        StreamExecutionEnvironment env = environment();
        Pipeline.build(env, spec);
        long total = input instanceof Endpoint.Jsonl file ? countLines(Path.of(file.path())) : -1;
        watch(env.executeAsync("PrefixFlow"), total);
        return 0;
    }

    /**
     * The embedded Flink every local run uses: RocksDB state, incremental checkpoints, restarts, and
     * the reporter that feeds the progress line (reset here, before a new job).
     */
    public StreamExecutionEnvironment environment() throws IOException {
        Path checkpoints = checkpointDir != null ? checkpointDir : Files.createTempDirectory("prefixflow-checkpoints");
        Configuration conf = new Configuration();
        conf.setString("state.backend.type", "rocksdb");
        // Only changed SST files are uploaded: the evicted-block tier can be large but changes slowly.
        conf.setString("execution.checkpointing.incremental", "true");
        conf.setString("execution.checkpointing.interval", checkpointInterval.toMillis() + " ms");
        conf.setString("execution.checkpointing.dir", checkpoints.toUri().toString());
        conf.setString("restart-strategy.type", "fixed-delay");
        conf.setString("restart-strategy.fixed-delay.attempts", "3");
        conf.setString("restart-strategy.fixed-delay.delay", "1 s");
        conf.setString("metrics.reporter.progress.factory.class", ProgressMetrics.Factory.class.getName());
        conf.setString("taskmanager.numberOfTaskSlots", Integer.toString(Math.max(1, parallelism)));
        // File systems such as s3:// come as plugins: the same plugins/ layout as on a cluster (or the
        // directory FLINK_PLUGINS_DIR names) works locally. `flink run` does this itself.
        FileSystem.initialize(conf, PluginUtils.createPluginManagerFromRootFolder(conf));
        ProgressMetrics.reset();
        return StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf);
    }

    /**
     * Shows progress until the job ends, then the summary; {@code total} requests expected, or -1.
     *
     * @throws IllegalStateException when the job failed (its causes' messages are printed by the CLI)
     */
    public void watch(JobClient job, long total) throws Exception {
        long start = System.nanoTime();
        ProgressLine progress = new ProgressLine(err, progressStyle, start);
        // The embedded cluster shuts down with the job, so wait on the result, not on the job's status.
        CompletableFuture<JobExecutionResult> result = job.getJobExecutionResult();
        while (!result.isDone()) {
            long now = System.nanoTime();
            progress.update(now, () -> progressLine(total, now - start));
            Thread.sleep(POLL_MILLIS);
        }
        progress.finish(progressLine(total, System.nanoTime() - start));
        try {
            result.get();
        } catch (ExecutionException e) {
            // The causes' messages are printed by the CLI's error report.
            throw new IllegalStateException("the job failed", e.getCause());
        }
        err.print(summary(System.nanoTime() - start));
        err.flush();
    }

    private static long countLines(Path file) throws IOException {
        try (var lines = Files.lines(file)) {
            return lines.filter(l -> !l.isBlank()).count();
        }
    }

    static String progressLine(long total, long elapsedNanos) {
        long done = ProgressMetrics.total("requestsOut") + ProgressMetrics.total("deadLettered");
        double seconds = Math.max(elapsedNanos / 1e9, 1e-9);
        return String.format(Locale.ROOT, "%s requests, %.1f tokens/s, prefix-cache hit rate %.1f%%",
                total >= 0 ? done + "/" + total : Long.toString(done),
                ProgressMetrics.total("generatedTokens") / seconds, hitRate());
    }

    private static double hitRate() {
        long prompt = ProgressMetrics.total("promptTokens");
        return prompt == 0 ? 0 : 100.0 * ProgressMetrics.total("cachedTokens") / prompt;
    }

    static String summary(long elapsedNanos) {
        double seconds = elapsedNanos / 1e9;
        long generated = ProgressMetrics.total("generatedTokens");
        StringBuilder s = new StringBuilder("\nPrefixFlow summary\n");
        row(s, "requests answered", Long.toString(ProgressMetrics.total("requestsOut")));
        row(s, "  of which errors", Long.toString(ProgressMetrics.total("errors")));
        row(s, "dead-lettered records", Long.toString(ProgressMetrics.total("deadLettered")));
        row(s, "prompt tokens", Long.toString(ProgressMetrics.total("promptTokens")));
        row(s, "cached prompt tokens", Long.toString(ProgressMetrics.total("cachedTokens")));
        row(s, "  of which from the tier", Long.toString(ProgressMetrics.total("tierCachedTokens")));
        row(s, "prefix-cache hit rate", String.format(Locale.ROOT, "%.1f%%", hitRate()));
        row(s, "computed tokens", Long.toString(ProgressMetrics.total("computedTokens")));
        row(s, "generated tokens", Long.toString(generated));
        row(s, "generated tokens/s", String.format(Locale.ROOT, "%.1f", generated / seconds));
        row(s, "preemptions", Long.toString(ProgressMetrics.total("preemptions")));
        row(s, "wall time", String.format(Locale.ROOT, "%.1f s", seconds));
        return s.toString();
    }

    private static void row(StringBuilder s, String name, String value) {
        s.append(String.format(Locale.ROOT, "  %-24s %12s%n", name, value));
    }
}
