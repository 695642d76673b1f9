package dev.prefixflow.tokenizer;

/** Picks the tokenizer implementation for a model's {@code tokenizer.ggml.model} name. */
public final class Tokenizers {

    private Tokenizers() {}

    public static Tokenizer fromVocabulary(String model, Vocabulary vocabulary) {
        if ("llama".equals(model)) {
            return new SentencePieceTokenizer(vocabulary);
        }
        if ("gpt2".equals(model)) {
            return new ByteLevelBpeTokenizer(vocabulary);
        }
        throw new IllegalArgumentException("unsupported tokenizer model '" + model
                + "' (supported: 'llama' (SentencePiece), 'gpt2' (byte-level BPE))");
    }
}
