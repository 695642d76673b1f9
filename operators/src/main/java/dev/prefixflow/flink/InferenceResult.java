package dev.prefixflow.flink;

import dev.prefixflow.engine.RequestResult;
import dev.prefixflow.engine.jsonl.Answer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.util.InstantiationUtil;

/**
 * One answered request as it leaves the inference operator, still typed: the first choice's fields
 * (for Arrow and other typed sinks) and the whole {@link Answer} (all choices with the request line,
 * Java-serialized with Flink's InstantiationUtil), which a JSON sink renders in the shape of the
 * request line. A Flink POJO; the operator writes no JSON. A typed sink that wants every choice of an
 * n > 1 request takes {@link #perChoice()}: one result per choice, each with its index.
 */
public class InferenceResult {
    public String id;
    public byte[] answer;
    /** Which choice the typed fields are (0 unless taken from {@link #perChoice()}). */
    public int choiceIndex;
    /** How many choices the answer has (n; 0 for a rejected line). */
    public int choices;
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
        InferenceResult out = new InferenceResult();
        out.id = answer.line().isBad() ? answer.line().id() : answer.first().id();
        try {
            out.answer = InstantiationUtil.serializeObject(answer);
        } catch (IOException e) {
            throw new IllegalStateException("the answer to " + out.id + " cannot be serialized", e);
        }
        if (answer.line().isBad()) {
            out.promptTokenIds = new int[0];
            out.tokenIds = new int[0];
            out.error = answer.line().problem();
            return out;
        }
        out.choices = answer.choices().size();
        out.fill(answer.first());
        return out;
    }

    /**
     * This result once per choice, in choice order: itself when there is one choice (or none: a rejected
     * line), else a copy per choice with that choice's tokens, text, finish reason, completion tokens and
     * error. The copies carry the answer's bytes as this one does.
     */
    public List<InferenceResult> perChoice() {
        if (choices <= 1) {
            return List.of(this);
        }
        Answer whole = answer();
        List<InferenceResult> out = new ArrayList<>(choices);
        for (int i = 0; i < choices; i++) {
            InferenceResult c = new InferenceResult();
            c.id = id;
            c.answer = answer;
            c.choiceIndex = i;
            c.choices = choices;
            c.fill(whole.choices().get(i));
            out.add(c);
        }
        return out;
    }

    private void fill(RequestResult r) {
        promptTokenIds = r.promptTokenIds();
        tokenIds = r.tokenIds();
        text = r.text();
        finishReason = r.finishReason() == null ? null : r.finishReason().apiName();
        promptTokens = r.usage().promptTokens();
        cachedTokens = r.usage().cachedTokens();
        tierCachedTokens = r.usage().tierCachedTokens();
        completionTokens = r.usage().completionTokens();
        queuedMs = r.timings().queuedMs();
        ttftMs = r.timings().ttftMs();
        e2eMs = r.timings().e2eMs();
        error = r.error() == null ? null : r.error().message();
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
