package dev.prefixflow.tokenizer;

/** Picks the tokenizer implementation for a model's {@code tokenizer.ggml.model} name. */
public final class Tokenizers {

    private Tokenizers() {}

    public static Tokenizer fromVocabulary(String model, Vocabulary vocabulary) {
        if ("llama".equals(model)) {
            return new SentencePieceTokenizer(vocabulary);
        }
        String hint = "gpt2".equals(model)
                ? "byte-level BPE is not supported yet"
                : "only 'llama' (SentencePiece) is supported";
        throw new IllegalArgumentException("unsupported tokenizer model '" + model + "' (" + hint + ")");
    }
}
