package dev.prefixflow.tokenizer;

/**
 * Decodes a token stream one id at a time. Not thread-safe: one instance per sequence.
 */
public interface IncrementalDecoder {

    /**
     * The complete UTF-8 text that {@code tokenId} finishes. Bytes of a multi-byte character that
     * is not complete yet are held back; bytes certain to be invalid become U+FFFD.
     */
    String next(int tokenId);

    /** Ends the stream: held-back bytes come out as U+FFFD. */
    String flush();
}
