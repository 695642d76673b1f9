package dev.prefixflow.job;

import dev.prefixflow.job.pipeline.LocalRun;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Runs a Flink SQL script, statement by statement, with PrefixFlow's model provider on the class
 * path ({@code CREATE MODEL ... WITH ('provider' = 'prefixflow', ...)} and {@code ML_PREDICT}). Run
 * directly, it starts an embedded Flink as {@code run} does and shows the same progress and summary
 * for each job; under {@code flink run} the statements' jobs go to the cluster.
 */
@Command(name = "sql", mixinStandardHelpOptions = true,
        description = "Run a Flink SQL script (CREATE MODEL ... 'provider' = 'prefixflow', ML_PREDICT, INSERT INTO ...).")
final class SqlCommand implements Callable<Integer> {
    @Option(names = "-f", required = true, description = "The SQL script: statements separated by semicolons.")
    Path file;

    @Option(names = "--parallelism", defaultValue = "1", description = "Parallelism of the jobs (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(names = "--checkpoint-interval", defaultValue = "10 s", converter = FlinkDurationConverter.class,
            description = "Checkpoint interval, e.g. 500 ms, 10 s, 1 min (default: ${DEFAULT-VALUE}).")
    Duration checkpointInterval;

    @Mixin
    ProgressOptions progress;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        List<String> statements = SqlScript.statements(Files.readString(file, StandardCharsets.UTF_8));
        PrintWriter err = spec.commandLine().getErr();
        StreamExecutionEnvironment probe = StreamExecutionEnvironment.getExecutionEnvironment();
        LocalRun local = probe instanceof LocalStreamEnvironment
                ? new LocalRun(err, progress.style(), parallelism, checkpointInterval, null) : null;
        StreamExecutionEnvironment env = local != null ? local.environment() : probe;
        if (local == null) {
            // Under `flink run`: the cluster's configuration rules; only what the job needs is set.
            env.setParallelism(parallelism);
            env.enableCheckpointing(checkpointInterval.toMillis());
        }
        StreamTableEnvironment tables = StreamTableEnvironment.create(env);
        for (int i = 0; i < statements.size(); i++) {
            String statement = statements.get(i);
            TableResult result;
            try {
                result = tables.executeSql(statement);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("statement " + (i + 1) + " of " + file + ": " + e.getMessage(), e);
            }
            Optional<JobClient> job = result.getJobClient();
            if (job.isEmpty() || isQuery(statement)) {
                result.print(); // SHOW, DESCRIBE, EXPLAIN, "OK" for DDL; a query's rows, as the SQL client shows them
            } else if (local != null) {
                local.watch(job.get(), -1);
            } else {
                result.await();
            }
        }
        return 0;
    }

    private static boolean isQuery(String statement) {
        String first = statement.split("[\\s(]+", 2)[0].toUpperCase(Locale.ROOT);
        return first.isEmpty() || first.equals("SELECT") || first.equals("WITH") || first.equals("VALUES");
    }
}
