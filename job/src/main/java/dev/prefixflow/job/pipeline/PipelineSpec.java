package dev.prefixflow.job.pipeline;

import dev.prefixflow.flink.InferenceSettings;
import dev.prefixflow.flink.RequestDecoder;
import java.util.List;
import java.util.Map;

/**
 * Everything that shapes the job graph: input, outputs, dead-letter destination (null: the
 * TaskManagers' log), routing, the inference settings, and Kafka client properties passed through
 * to every Kafka source and sink (security.protocol, sasl.*, ssl.*, group.id ...).
 */
public record PipelineSpec(Endpoint input, List<Endpoint> outputs, Endpoint deadLetter,
                           RequestDecoder.Routing routing, InferenceSettings inference,
                           Map<String, String> kafkaProperties, boolean boundedKafka) {

    public PipelineSpec {
        outputs = List.copyOf(outputs);
        kafkaProperties = Map.copyOf(kafkaProperties);
        if (input instanceof Endpoint.Arrow) {
            throw new IllegalArgumentException("Arrow files are an output format; read requests from Kafka or JSONL");
        }
        if (outputs.isEmpty()) {
            throw new IllegalArgumentException("name at least one output");
        }
        if (deadLetter instanceof Endpoint.Arrow) {
            throw new IllegalArgumentException("dead letters go to Kafka or JSONL, not Arrow");
        }
    }
}
