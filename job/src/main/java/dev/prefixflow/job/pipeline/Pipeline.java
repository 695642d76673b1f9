package dev.prefixflow.job.pipeline;

import dev.prefixflow.connectors.arrow.ArrowFiles;
import dev.prefixflow.connectors.files.JsonlFiles;
import dev.prefixflow.connectors.kafka.KafkaBytesSources;
import dev.prefixflow.connectors.kafka.KafkaKeyedBytesSinks;
import dev.prefixflow.connectors.kafka.KafkaSinkSettings;
import dev.prefixflow.connectors.kafka.KafkaSourceSettings;
import dev.prefixflow.connectors.kafka.KeyedBytes;
import dev.prefixflow.connectors.kafka.StartingOffsets;
import dev.prefixflow.connectors.kafka.StoppingOffsets;
import dev.prefixflow.flink.DeadLetter;
import dev.prefixflow.flink.InferenceOperator;
import dev.prefixflow.flink.InferenceResult;
import dev.prefixflow.flink.PromptRecord;
import dev.prefixflow.flink.RequestDecoder;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;

/**
 * The PrefixFlow job graph: source -> decode (dead letters aside) -> keyBy(prefix key) -> inference
 * -> every output. Kafka outputs are exactly-once (transactions committed on checkpoint); file
 * outputs commit their files on checkpoint.
 */
public final class Pipeline {

    private Pipeline() {
    }

    public static void build(StreamExecutionEnvironment env, PipelineSpec spec) {
        DataStream<byte[]> raw = source(env, spec);
        SingleOutputStreamOperator<PromptRecord> prompts = raw
                .process(new RequestDecoder(spec.inference().engine().modelPath(), spec.routing(),
                        spec.inference().chatTemplate()), TypeInformation.of(PromptRecord.class))
                .name("decode requests").uid("decode");
        DataStream<InferenceResult> results = prompts
                .keyBy(record -> record.prefixKey, Types.STRING)
                .transform("inference", TypeInformation.of(InferenceResult.class), new InferenceOperator(spec.inference()))
                .uid("inference");
        for (Endpoint output : spec.outputs()) {
            sinkResults(results, output, spec);
        }
        sinkDeadLetters(prompts.getSideOutput(RequestDecoder.DEAD_LETTERS), spec);
    }

    private static DataStream<byte[]> source(StreamExecutionEnvironment env, PipelineSpec spec) {
        if (spec.input() instanceof Endpoint.Kafka kafka) {
            Map<String, String> props = new HashMap<>(spec.kafkaProperties());
            String group = props.getOrDefault("group.id", "prefixflow");
            var settings = new KafkaSourceSettings(kafka.bootstrapServers(), kafka.topic(), group,
                    StartingOffsets.COMMITTED, spec.boundedKafka() ? StoppingOffsets.LATEST : StoppingOffsets.NONE, props);
            return env.fromSource(KafkaBytesSources.create(settings), WatermarkStrategy.noWatermarks(), "kafka requests")
                    .uid("kafka-source");
        }
        Endpoint.Jsonl file = (Endpoint.Jsonl) spec.input();
        return env.fromSource(JsonlFiles.source(file.path()), WatermarkStrategy.noWatermarks(), "jsonl requests")
                .uid("jsonl-source");
    }

    private static void sinkResults(DataStream<InferenceResult> results, Endpoint output, PipelineSpec spec) {
        if (output instanceof Endpoint.Kafka kafka) {
            ResultJson json = new ResultJson(spec.inference().engine().modelPath());
            results.map(r -> new KeyedBytes(r.id, json.encode(r))).returns(KeyedBytes.class).name("encode results")
                    .sinkTo(KafkaKeyedBytesSinks.exactlyOnce(new KafkaSinkSettings(kafka.bootstrapServers(),
                            kafka.topic(), "prefixflow-" + kafka.topic(), spec.kafkaProperties())))
                    .name("kafka results").uid("kafka-results-" + kafka.topic());
        } else if (output instanceof Endpoint.Arrow arrow) {
            // A row per choice: an n > 1 request's choices are rows with the same id.
            results.flatMap((InferenceResult r, Collector<InferenceResult> out) -> r.perChoice().forEach(out::collect))
                    .returns(InferenceResult.class).name("choices as rows")
                    .sinkTo(ArrowFiles.sink(arrow.directory(), new ResultArrowRows())).name("arrow results")
                    .uid("arrow-" + arrow.directory());
        } else {
            Endpoint.Jsonl jsonl = (Endpoint.Jsonl) output;
            ResultJson json = new ResultJson(spec.inference().engine().modelPath());
            results.map(json::encode).returns(byte[].class).name("encode results")
                    .sinkTo(JsonlFiles.sink(jsonl.path())).name("jsonl results").uid("jsonl-" + jsonl.path());
        }
    }

    private static void sinkDeadLetters(DataStream<DeadLetter> dead, PipelineSpec spec) {
        Endpoint target = spec.deadLetter();
        if (target instanceof Endpoint.Kafka kafka) {
            dead.map(d -> new KeyedBytes("line-" + d.lineNumber, d.toJsonBytes())).returns(KeyedBytes.class)
                    .sinkTo(KafkaKeyedBytesSinks.exactlyOnce(new KafkaSinkSettings(kafka.bootstrapServers(),
                            kafka.topic(), "prefixflow-" + kafka.topic(), spec.kafkaProperties())))
                    .name("kafka dead letters").uid("kafka-dead-letters");
        } else if (target instanceof Endpoint.Jsonl jsonl) {
            dead.map(DeadLetter::toJsonBytes).returns(byte[].class)
                    .sinkTo(JsonlFiles.sink(jsonl.path())).name("jsonl dead letters").uid("jsonl-dead-letters");
        } else {
            dead.map(DeadLetter::toJson).returns(Types.STRING).printToErr("dead letter").name("log dead letters");
        }
    }
}
