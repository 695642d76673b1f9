package dev.prefixflow.engine;

/** One sequence's share of a step: {@code numTokens} tokens from position {@code firstPosition}. */
record ScheduledChunk(Sequence sequence, int firstPosition, int numTokens) {

    int end() {
        return firstPosition + numTokens;
    }

    /** Whether this chunk reaches the sequence's last token, whose logits pick the next token. */
    boolean endsSequence() {
        return end() == sequence.length();
    }
}
