package dev.prefixflow.tokenizer;

/**
 * A tokenizer vocabulary as plain data, e.g. from GGUF {@code tokenizer.ggml.*} metadata. The
 * arrays are indexed by token id and are not copied (vocabularies are large and read-only).
 *
 * @param tokenTypes one of the {@code *_TYPE} constants per token
 * @param addSpacePrefix whether encoding prepends a space (SentencePiece's dummy prefix)
 * @param merges byte-level BPE merges, best first, each two tokens separated by a space (empty for
 *     SentencePiece)
 * @param preTokenizer byte-level BPE's {@code tokenizer.ggml.pre}, or null when absent
 * @param stripAfterSpecial whether whitespace after a special token is dropped when special tokens are
 *     parsed, as the Phi-3 family's added tokens declare ({@code rstrip}); the GGUF file does not carry
 *     it, so {@link TokenizerLoader} sets it from the model's name as llama.cpp does
 */
public record Vocabulary(
        String[] tokens,
        float[] scores,
        int[] tokenTypes,
        int bosId,
        int eosId,
        int unkId,
        boolean addBos,
        boolean addSpacePrefix,
        String[] merges,
        String preTokenizer,
        boolean stripAfterSpecial) {

    public static final int NORMAL_TYPE = 1;
    public static final int UNKNOWN_TYPE = 2;
    public static final int CONTROL_TYPE = 3;
    public static final int USER_DEFINED_TYPE = 4;
    public static final int UNUSED_TYPE = 5;
    public static final int BYTE_TYPE = 6;

    public Vocabulary {
        if (scores.length != tokens.length || tokenTypes.length != tokens.length) {
            throw new IllegalArgumentException("vocabulary arrays differ in length: " + tokens.length
                    + " tokens, " + scores.length + " scores, " + tokenTypes.length + " token types");
        }
        checkId("bos", bosId, tokens.length);
        checkId("eos", eosId, tokens.length);
        checkId("unknown", unkId, tokens.length);
    }

    /** A vocabulary without merges, as SentencePiece has. */
    public Vocabulary(String[] tokens, float[] scores, int[] tokenTypes, int bosId, int eosId, int unkId,
                      boolean addBos, boolean addSpacePrefix) {
        this(tokens, scores, tokenTypes, bosId, eosId, unkId, addBos, addSpacePrefix, new String[0], null, false);
    }

    /** A vocabulary whose special tokens keep the whitespace after them (every family but Phi-3's). */
    public Vocabulary(String[] tokens, float[] scores, int[] tokenTypes, int bosId, int eosId, int unkId,
                      boolean addBos, boolean addSpacePrefix, String[] merges, String preTokenizer) {
        this(tokens, scores, tokenTypes, bosId, eosId, unkId, addBos, addSpacePrefix, merges, preTokenizer, false);
    }

    public int size() {
        return tokens.length;
    }

    private static void checkId(String name, int id, int size) {
        if (id < 0 || id >= size) {
            throw new IllegalArgumentException(name + " token id " + id + " is outside the vocabulary of " + size);
        }
    }
}
