package dev.prefixflow.job.arrow;

import dev.prefixflow.flink.InferenceResult;
import java.util.List;
import java.util.stream.IntStream;

/** Results with the values a file must carry exactly: unicode, empty lists, nulls, extreme numbers. */
final class SampleResults {
    private static final String[] TEXTS = {
        "héllo wörld", "日本語のテキスト", "emoji 🚀🎉 and 𝄞", "", "line\nbreak \"quoted\" \\ tab\t", "plain"};

    private SampleResults() {
    }

    static List<InferenceResult> of(int n) {
        return IntStream.range(0, n).mapToObj(SampleResults::result).toList();
    }

    private static InferenceResult result(int i) {
        InferenceResult r = new InferenceResult();
        r.id = String.format("req-%03d", i);
        r.choiceIndex = i % 3;
        r.promptTokenIds = IntStream.range(0, i % 7).map(k -> i * 100 + k).toArray();
        r.tokenIds = i % 5 == 0 ? new int[0] : new int[] {i, -i, Integer.MAX_VALUE, Integer.MIN_VALUE};
        r.text = i % 13 == 12 ? null : TEXTS[i % TEXTS.length];
        boolean failed = i % 6 == 0;
        r.finishReason = failed ? null : (i % 2 == 0 ? "stop" : "length");
        r.error = failed ? "prompt of " + i + " tokens is too long — «rejected»" : null;
        r.promptTokens = r.promptTokenIds.length;
        r.cachedTokens = i % 3;
        r.completionTokens = i % 2 == 0 ? 0 : i * 1000;
        r.queuedMs = i * 0.1;
        r.ttftMs = Math.PI * i;
        r.e2eMs = i % 4 == 0 ? 1e-300 * i : 12345.678 + i;
        return r;
    }
}
