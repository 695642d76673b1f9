package dev.prefixflow.tokenizer;

/**
 * Tracks whether the next token begins a sequence's text (index 0, or directly after a leading
 * BOS): there SentencePiece drops the space that the dummy prefix added.
 */
final class SequenceStart {

    private final int bosId;
    private int seen;
    private boolean startsWithBos;

    SequenceStart(int bosId) {
        this.bosId = bosId;
    }

    /** Whether {@code tokenId}, the next token of the sequence, is at the start. */
    boolean advance(int tokenId) {
        boolean atStart = seen == 0 || (seen == 1 && startsWithBos);
        if (seen == 0) {
            startsWithBos = tokenId == bosId;
        }
        seen = Math.min(seen + 1, 2);
        return atStart;
    }
}
