package dev.prefixflow.tokenizer;

/** Turns text into token ids and back, for one model's vocabulary. Implementations are thread-safe. */
public interface Tokenizer {

    /**
     * Tokenizes {@code text}. With {@code addBos} the BOS token is prepended iff the model's
     * vocabulary asks for it ({@link #addsBos()}); without it, BOS is never added.
     */
    default int[] encode(String text, boolean addBos) {
        return encode(text, addBos, false);
    }

    /**
     * Tokenizes {@code text}; with {@code parseSpecial} the text of a control token (such as
     * {@code <|im_start|>} or {@code <s>}) becomes that token, as llama.cpp's {@code parse_special}
     * and transformers (unless {@code split_special_tokens}) do. User-defined tokens always do.
     */
    int[] encode(String text, boolean addBos, boolean parseSpecial);

    /**
     * The text of {@code ids}. Control and unknown tokens produce no text; with a SentencePiece dummy
     * prefix, the space of the first token of a sequence (at index 0, or directly after a leading
     * BOS) is dropped.
     */
    String decode(int[] ids);

    /** A fresh streaming decoder whose concatenated output equals {@link #decode} of the same ids. */
    IncrementalDecoder decoder();

    int vocabularySize();

    int bosId();

    int eosId();

    /** Whether {@code encode(text, true)} prepends BOS. */
    boolean addsBos();

    /** Whether {@code id} is a control or unknown token, which decodes to nothing. */
    boolean isControl(int id);

    /**
     * The bytes token {@code id} adds to a text past its start (none for control and unknown tokens),
     * for work that must follow the text byte by byte, such as structured outputs' token masks.
     */
    byte[] tokenBytes(int id);

    /** The raw vocabulary string of {@code id}, for debugging and logprobs. */
    String piece(int id);
}
