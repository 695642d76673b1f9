package dev.prefixflow.job.pipeline;

import static dev.prefixflow.connectors.arrow.ArrowColumns.float64;
import static dev.prefixflow.connectors.arrow.ArrowColumns.int32;
import static dev.prefixflow.connectors.arrow.ArrowColumns.int32List;
import static dev.prefixflow.connectors.arrow.ArrowColumns.text;

import dev.prefixflow.connectors.arrow.ArrowRowWriter;
import dev.prefixflow.flink.InferenceResult;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/** One result per row of {@link ResultSchema}. */
public final class ResultArrowRows implements ArrowRowWriter<InferenceResult> {
    private static final long serialVersionUID = 1L;

    @Override
    public Schema schema() {
        return ResultSchema.SCHEMA;
    }

    @Override
    public void write(VectorSchemaRoot root, int row, InferenceResult r) {
        text(root, "id", row, r.id);
        int32(root, "choice_index", row, r.choiceIndex);
        int32List(root, "prompt_token_ids", row, r.promptTokenIds);
        int32List(root, "token_ids", row, r.tokenIds);
        text(root, "text", row, r.text);
        text(root, "finish_reason", row, r.finishReason);
        int32(root, "prompt_tokens", row, r.promptTokens);
        int32(root, "cached_tokens", row, r.cachedTokens);
        int32(root, "completion_tokens", row, r.completionTokens);
        float64(root, "queued_ms", row, r.queuedMs);
        float64(root, "ttft_ms", row, r.ttftMs);
        float64(root, "e2e_ms", row, r.e2eMs);
        text(root, "error", row, r.error);
    }
}
