package dev.prefixflow.tokenizer;

import dev.prefixflow.gguf.GgufFile;
import dev.prefixflow.gguf.GgufFormatException;
import java.util.Arrays;

/** Builds a model's tokenizer from the {@code tokenizer.ggml.*} metadata of its GGUF file. */
public final class TokenizerLoader {

    private TokenizerLoader() {
    }

    public static Tokenizer fromGguf(GgufFile file) throws GgufFormatException {
        String model = file.getString("tokenizer.ggml.model");
        String[] tokens = file.getStringArray("tokenizer.ggml.tokens");
        if (model == null || tokens == null) {
            throw new GgufFormatException(file.path(), -1, model == null ? "tokenizer.ggml.model" : "tokenizer.ggml.tokens",
                    "the file has no tokenizer metadata");
        }
        float[] scores = file.getFloatArray("tokenizer.ggml.scores");
        int[] types = file.getIntArray("tokenizer.ggml.token_type");
        if (scores == null) {
            scores = new float[tokens.length];
        }
        if (types == null) {
            types = new int[tokens.length];
            Arrays.fill(types, Vocabulary.NORMAL_TYPE);
        }
        check(file, "tokenizer.ggml.scores", scores.length, tokens.length);
        check(file, "tokenizer.ggml.token_type", types.length, tokens.length);
        String[] merges = file.getStringArray("tokenizer.ggml.merges");
        // Defaults are llama.cpp's: SentencePiece adds BOS and a dummy space prefix, byte-level BPE neither.
        boolean sentencePiece = !"gpt2".equals(model);
        Vocabulary v = new Vocabulary(tokens, scores, types,
                tokenId(file, "tokenizer.ggml.bos_token_id", 1, tokens.length),
                tokenId(file, "tokenizer.ggml.eos_token_id", 2, tokens.length),
                tokenId(file, "tokenizer.ggml.unknown_token_id", 0, tokens.length),
                file.getBoolean("tokenizer.ggml.add_bos_token", sentencePiece),
                file.getBoolean("tokenizer.ggml.add_space_prefix", sentencePiece),
                merges != null ? merges : new String[0],
                file.getString("tokenizer.ggml.pre"));
        try {
            return Tokenizers.fromVocabulary(model, v);
        } catch (IllegalArgumentException e) {
            // The message names the key at fault (model, pre-tokenizer or merges).
            throw new GgufFormatException(file.path(), -1, "tokenizer.ggml.*", e.getMessage());
        }
    }

    private static void check(GgufFile file, String key, int length, int expected) throws GgufFormatException {
        if (length != expected) {
            throw new GgufFormatException(file.path(), -1, key,
                    "expected " + expected + " entries (one per token), found " + length);
        }
    }

    private static int tokenId(GgufFile file, String key, int fallback, int vocabSize) throws GgufFormatException {
        int id = file.getInt(key, fallback);
        if (id < 0 || id >= vocabSize) {
            throw new GgufFormatException(file.path(), -1, key,
                    "token id " + id + " is outside the vocabulary of " + vocabSize);
        }
        return id;
    }
}
