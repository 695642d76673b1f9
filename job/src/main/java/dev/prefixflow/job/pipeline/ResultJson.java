package dev.prefixflow.job.pipeline;

import dev.prefixflow.engine.jsonl.ResultWriter;
import dev.prefixflow.flink.InferenceResult;
import dev.prefixflow.model.ModelMetadata;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Renders a result as the JSON line of its request's format, where a JSONL or Kafka sink takes it. Token
 * texts (top logprobs) come from the model's vocabulary, read once per subtask as the decoder reads it.
 */
final class ResultJson implements Serializable {
    private static final long serialVersionUID = 1L;
    private final String modelPath;
    private transient ResultWriter writer;

    ResultJson(String modelPath) {
        this.modelPath = modelPath;
    }

    byte[] encode(InferenceResult result) {
        if (writer == null) {
            try {
                // The "created" time of OpenAI answers: when this sink's subtask started writing.
                writer = new ResultWriter(System.currentTimeMillis() / 1000,
                        ModelMetadata.read(Path.of(modelPath)).tokenizer());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return writer.result(result.answer()).getBytes(StandardCharsets.UTF_8);
    }
}
