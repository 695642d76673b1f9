package dev.prefixflow.flink;

import dev.prefixflow.engine.RequestResult;
import dev.prefixflow.engine.jsonl.Answer;
import java.io.IOException;
import org.apache.flink.util.InstantiationUtil;

/**
 * One answered request as it leaves the inference operator, still typed: the first choice's fields
 * (for Arrow and other typed sinks) and the whole {@link Answer} (all choices with the request line,
 * Java-serialized with Flink's InstantiationUtil), which a JSON sink renders in the shape of the
 * request line. A Flink POJO; the operator writes no JSON.
 */
public class InferenceResult {
    public String id;
    public byte[] answer;
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

    public static InferenceResult of(Answer answer) {
        RequestResult r = answer.first();
        InferenceResult out = new InferenceResult();
        out.id = r.id();
        try {
            out.answer = InstantiationUtil.serializeObject(answer);
        } catch (IOException e) {
            throw new IllegalStateException("the answer to " + r.id() + " cannot be serialized", e);
        }
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

    /** The whole answer, read back from its bytes. */
    public Answer answer() {
        try {
            return InstantiationUtil.deserializeObject(answer, InferenceResult.class.getClassLoader());
        } catch (IOException | ClassNotFoundException e) {
            throw new IllegalStateException("the answer to " + id + " cannot be read back", e);
        }
    }
}
