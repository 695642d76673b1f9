package dev.prefixflow.job;

import dev.prefixflow.engine.EngineSettings;
import dev.prefixflow.flink.InferenceSettings;
import dev.prefixflow.flink.RequestDecoder;
import dev.prefixflow.job.pipeline.Endpoint;
import dev.prefixflow.job.pipeline.KafkaReachability;
import dev.prefixflow.job.pipeline.LocalRun;
import dev.prefixflow.job.pipeline.Pipeline;
import dev.prefixflow.job.pipeline.PipelineSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The streaming job. Run directly, it starts an embedded Flink (MiniCluster, RocksDB state,
 * checkpoints in a temporary directory) and shows progress; submitted with {@code flink run}, the
 * same code builds the job for the cluster.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the PrefixFlow Flink job: requests from Kafka or JSONL, results to Kafka, Arrow or JSONL.")
final class RunCommand implements Callable<Integer> {
    /** Flink's own lower bound for a checkpoint interval. */
    private static final long MIN_CHECKPOINT_MILLIS = 10;

    @Mixin
    ModelOptions modelOptions;

    @Mixin
    EngineOptions engineOptions;

    @Mixin
    ChatTemplateOption chatTemplate;

    @Mixin
    LoraOptions loraOptions;

    @Option(names = "--input", required = true, description = "kafka://HOST:PORT/TOPIC or a JSONL file.")
    String input;

    @Option(names = "--output", required = true, split = ",",
            description = "kafka://HOST:PORT/TOPIC, arrow:DIR or jsonl:DIR (comma-separated for several).")
    List<String> outputs;

    @Option(names = "--dead-letter", description = "kafka://HOST:PORT/TOPIC or jsonl:DIR for records that are not "
            + "requests (default: the TaskManagers' stderr).")
    String deadLetter;

    @Option(names = "--parallelism", defaultValue = "1", description = "Inference subtasks (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(names = "--checkpoint-interval", defaultValue = "10 s", converter = FlinkDurationConverter.class,
            description = "Checkpoint interval, written as in Flink's configuration: 500 ms, 10 s, 1 min, PT10S "
                    + "(default: ${DEFAULT-VALUE}).")
    Duration checkpointInterval;

    @Option(names = "--checkpoint-dir", description = "Checkpoint directory for local runs (default: a temporary one).")
    Path checkpointDir;

    @Option(names = "--routing", defaultValue = "prefix",
            description = "prefix: key by the prompt's prefix hash (cache-aware); rebalance: spread evenly (baseline).")
    String routing;

    @Option(names = "--routing-prefix-tokens", defaultValue = "64",
            description = "Prompt tokens that form the routing key, rounded down to whole blocks (default: ${DEFAULT-VALUE}).")
    int routingPrefixTokens;

    @Option(names = "--max-waiting", description = "Waiting requests per subtask before input is paused "
            + "(default: 4 x max-num-seqs).")
    Integer maxWaiting;

    @Option(names = "--kv-tier-bytes", defaultValue = "0",
            description = "Bytes per inference subtask for evicted KV blocks in RocksDB-backed keyed state, swapped "
                    + "back in instead of recomputed; 0 turns the tier off (default: ${DEFAULT-VALUE}).")
    long kvTierBytes;

    @Option(names = "--kafka-property", description = "Kafka client property k=v for every Kafka source and sink "
            + "(repeatable), e.g. security.protocol=SASL_SSL or group.id=my-group.")
    Map<String, String> kafkaProperties = Map.of();

    @Option(names = "--bounded", description = "Stop reading Kafka at the offsets current when the job starts.")
    boolean bounded;

    @Option(names = "--kafka-timeout", defaultValue = "30 s", converter = FlinkDurationConverter.class,
            description = "How long to wait for each Kafka cluster to answer before the job is built; 0 skips this "
                    + "check (default: ${DEFAULT-VALUE}).")
    Duration kafkaTimeout;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!routing.equals("prefix") && !routing.equals("rebalance")) {
            throw new IllegalArgumentException("--routing must be prefix or rebalance, got '" + routing + "'");
        }
        if (checkpointInterval.toMillis() < MIN_CHECKPOINT_MILLIS) {
            throw new IllegalArgumentException("--checkpoint-interval must be at least " + MIN_CHECKPOINT_MILLIS
                    + " ms, got " + checkpointInterval.toMillis() + " ms");
        }
        PipelineSpec pipeline = pipelineSpec(modelOptions.modelPath().toAbsolutePath().toString());
        if (!kafkaTimeout.isZero()) {
            KafkaReachability.check(pipeline, kafkaTimeout);
        }
        StreamExecutionEnvironment probe = StreamExecutionEnvironment.getExecutionEnvironment();
        if (!(probe instanceof LocalStreamEnvironment)) {
            // Under `flink run`: the cluster's configuration rules; only what the job needs is set.
            probe.setParallelism(parallelism);
            probe.enableCheckpointing(checkpointInterval.toMillis());
            Pipeline.build(probe, pipeline);
            probe.execute("PrefixFlow");
            return 0;
        }
        modelOptions.platform(); // fails fast on an unknown name, and shows the platform's advice for this JVM
        return new LocalRun(spec.commandLine().getErr(), modelOptions.progress.style(), parallelism,
                checkpointInterval, checkpointDir).run(pipeline, Endpoint.parse(input));
    }

    PipelineSpec pipelineSpec(String modelPath) throws IOException {
        var e = engineOptions;
        EngineSettings engine = e.applyTo(EngineSettings.of(modelPath).withPlatform(modelOptions.platform))
                .withLora(loraOptions.paths());
        InferenceSettings settings = new InferenceSettings(engine,
                maxWaiting != null ? maxWaiting : 4 * e.maxNumSeqs, kvTierBytes, chatTemplate.source());
        var routingSpec = new RequestDecoder.Routing(routing.equals("prefix"), e.blockSize,
                Math.max(e.blockSize, routingPrefixTokens));
        return new PipelineSpec(Endpoint.parse(input), outputs.stream().map(Endpoint::parse).toList(),
                deadLetter == null ? null : Endpoint.parse(deadLetter), routingSpec, settings, kafkaProperties,
                bounded);
    }
}
