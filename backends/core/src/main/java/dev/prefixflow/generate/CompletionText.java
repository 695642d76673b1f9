package dev.prefixflow.generate;

import dev.prefixflow.sampling.SamplingParams;
import dev.prefixflow.tokenizer.IncrementalDecoder;
import dev.prefixflow.tokenizer.Tokenizer;
import java.util.List;

/**
 * The growing text of one completion and the stop rules applied to it: EOS (unless ignored), stop
 * token ids, stop strings (the text ends before the stop string), max_tokens and the context length.
 * The decoder is primed with the prompt so the completion's first piece keeps its leading space.
 */
public final class CompletionText {
    private final Tokenizer tokenizer;
    private final SamplingParams params;
    private final int contextLength;
    private final IncrementalDecoder decoder;
    private final StringBuilder text = new StringBuilder();
    private int generated;
    private int totalTokens;
    private FinishReason finish;

    public CompletionText(Tokenizer tokenizer, SamplingParams params, int[] prompt, int contextLength) {
        this.tokenizer = tokenizer;
        this.params = params;
        this.contextLength = contextLength;
        this.decoder = tokenizer.decoder();
        for (int id : prompt) {
            decoder.next(id);
        }
        this.totalTokens = prompt.length;
        if (params.maxTokens() == 0) {
            finish = FinishReason.LENGTH;
        }
    }

    /**
     * Takes one generated token; returns the new text it adds (possibly empty), and sets {@link
     * #finishReason()} when the sequence must stop.
     */
    public String append(int token) {
        if (finish != null) {
            throw new IllegalStateException("the completion has already finished: " + finish);
        }
        generated++;
        totalTokens++;
        boolean stopToken = (!params.ignoreEos() && token == tokenizer.eosId())
                || params.stopTokenIds().contains(token);
        String piece = stopToken ? "" : decoder.next(token);
        boolean last = stopToken || generated >= params.maxTokens() || totalTokens >= contextLength;
        if (last) {
            piece += decoder.flush();
        }
        piece = cutAtStopString(piece);
        if (finish == null && last) {
            finish = stopToken ? FinishReason.STOP : FinishReason.LENGTH;
        }
        return piece;
    }

    /** Appends the piece, and when a stop string now appears, keeps only the text before it. */
    private String cutAtStopString(String piece) {
        List<String> stops = params.stop();
        int before = text.length();
        text.append(piece);
        int cut = -1;
        for (String s : stops) {
            // Only a stop string that ends inside the new piece can be new.
            int from = Math.max(0, before - s.length() + 1);
            int at = text.indexOf(s, from);
            if (at >= 0 && (cut < 0 || at < cut)) {
                cut = at;
            }
        }
        if (cut < 0) {
            return piece;
        }
        finish = FinishReason.STOP;
        text.setLength(cut);
        return cut >= before ? text.substring(before) : "";
    }

    /** The completion's text so far (complete characters only until it finishes). */
    public String text() {
        return text.toString();
    }

    public FinishReason finishReason() {
        return finish;
    }

    public boolean finished() {
        return finish != null;
    }
}
