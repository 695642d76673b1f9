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
        if ("gemma4".equals(model)) {
            if (vocabulary.merges().length == 0) {
                throw new IllegalArgumentException("tokenizer model 'gemma4' needs tokenizer.ggml.merges");
            }
            return new SentencePieceTokenizer(vocabulary);
        }
        if ("bert".equals(model)) {
            // llama.cpp's WordPiece defaults: [SEP] ends the text (the loader reads the file's own id and options).
            return new WordPieceTokenizer(vocabulary, vocabulary.eosId(), true, true);
        }
        throw new IllegalArgumentException(unsupported(model));
    }

    static String unsupported(String model) {
        return "unsupported tokenizer model '" + model
                + "' (supported: 'llama' (SentencePiece), 'gpt2' (byte-level BPE), 'gemma4' (SentencePiece-style BPE),"
                + " 'bert' (WordPiece))";
    }
}
