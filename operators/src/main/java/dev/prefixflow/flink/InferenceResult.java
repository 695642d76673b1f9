package dev.prefixflow.flink;

import dev.prefixflow.engine.RequestResult;
import java.nio.charset.StandardCharsets;

/**
 * One answered request as it leaves the inference operator: the answer line in the shape of its
 * request line ({@link #json}, for JSONL and Kafka) and the same answer as typed fields (for Arrow).
 * A Flink POJO.
 */
public class InferenceResult {
    public String id;
    public String json;
    public int[] promptTokenIds;
    public int[] tokenIds;
    public String text;
    public String finishReason;
    public int promptTokens;
    public int cachedTokens;
    public int tierCachedTokens;
    public int completionTokens;
    public double queuedMs;
    public double ttftMs;
    public double e2eMs;
    public String error;

    public InferenceResult() {
    }

    public static InferenceResult of(RequestResult r, String json) {
        InferenceResult out = new InferenceResult();
        out.id = r.id();
        out.json = json;
        out.promptTokenIds = r.promptTokenIds();
        out.tokenIds = r.tokenIds();
        out.text = r.text();
        out.finishReason = r.finishReason() == null ? null : r.finishReason().apiName();
        out.promptTokens = r.usage().promptTokens();
        out.cachedTokens = r.usage().cachedTokens();
        out.tierCachedTokens = r.usage().tierCachedTokens();
        out.completionTokens = r.usage().completionTokens();
        out.queuedMs = r.timings().queuedMs();
        out.ttftMs = r.timings().ttftMs();
        out.e2eMs = r.timings().e2eMs();
        out.error = r.error() == null ? null : r.error().message();
        return out;
    }

    public byte[] jsonBytes() {
        return json.getBytes(StandardCharsets.UTF_8);
    }
}
