package dev.prefixflow.job.arrow;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prefixflow.flink.InferenceResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** One result file row as comparable values (doubles compare bit-exactly in a record's equals). */
public record ResultRow(String id, int choiceIndex, List<Integer> promptTokenIds, List<Integer> tokenIds, String text,
                        String finishReason, int promptTokens, int cachedTokens, int completionTokens,
                        double queuedMs, double ttftMs, double e2eMs, String error) {

    static ResultRow of(InferenceResult r) {
        return new ResultRow(r.id, r.choiceIndex, ints(r.promptTokenIds), ints(r.tokenIds), r.text, r.finishReason,
                r.promptTokens, r.cachedTokens, r.completionTokens, r.queuedMs, r.ttftMs, r.e2eMs, r.error);
    }

    /** A row as read-arrow.mjs prints it: field name to value, null as JSON null. */
    static ResultRow fromJson(JsonNode row) {
        return new ResultRow(text(row, "id"), integer(row.get("choice_index")), ints(row, "prompt_token_ids"),
                ints(row, "token_ids"), text(row, "text"), text(row, "finish_reason"), integer(row.get("prompt_tokens")),
                integer(row.get("cached_tokens")), integer(row.get("completion_tokens")),
                number(row, "queued_ms"), number(row, "ttft_ms"), number(row, "e2e_ms"), text(row, "error"));
    }

    private static List<Integer> ints(int[] values) {
        return Arrays.stream(values).boxed().toList();
    }

    // Jackson's xxxValue() answers 0 or null for a node of another kind: check the kind first, so
    // that a value of the wrong type fails the comparison instead of reading as a default.
    private static String text(JsonNode row, String field) {
        JsonNode v = row.get(field);
        if (v.isNull()) {
            return null;
        }
        expect(v.isTextual(), v);
        return v.textValue();
    }

    private static List<Integer> ints(JsonNode row, String field) {
        JsonNode list = row.get(field);
        expect(list.isArray(), list);
        List<Integer> out = new ArrayList<>();
        list.forEach(v -> out.add(integer(v)));
        return out;
    }

    private static int integer(JsonNode v) {
        expect(v.canConvertToInt() && v.isIntegralNumber(), v);
        return v.intValue();
    }

    private static double number(JsonNode row, String field) {
        JsonNode v = row.get(field);
        expect(v.isNumber(), v);
        return v.doubleValue();
    }

    private static void expect(boolean kind, JsonNode v) {
        if (!kind) {
            throw new AssertionError("unexpected JSON value kind: " + v);
        }
    }
}
