package dev.prefixflow.job.pipeline;

import java.util.List;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/** The Arrow schema of result files: one row per result, or per choice of an n > 1 request. */
public final class ResultSchema {
    public static final Schema SCHEMA = new Schema(List.of(
            utf8("id", false),
            int32("choice_index"),
            int32List("prompt_token_ids"),
            int32List("token_ids"),
            utf8("text", true),
            utf8("finish_reason", true),
            int32("prompt_tokens"),
            int32("cached_tokens"),
            int32("completion_tokens"),
            float64("queued_ms"),
            float64("ttft_ms"),
            float64("e2e_ms"),
            utf8("error", true)));

    private ResultSchema() {
    }

    private static Field utf8(String name, boolean nullable) {
        return new Field(name, new FieldType(nullable, ArrowType.Utf8.INSTANCE, null), null);
    }

    private static Field int32(String name) {
        return new Field(name, new FieldType(false, new ArrowType.Int(32, true), null), null);
    }

    private static Field float64(String name) {
        return new Field(name, new FieldType(false, new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE), null),
                null);
    }

    private static Field int32List(String name) {
        return new Field(name, new FieldType(false, ArrowType.List.INSTANCE, null),
                List.of(new Field("item", new FieldType(false, new ArrowType.Int(32, true), null), null)));
    }
}
