package dev.prefixflow.tokenizer;

import dev.prefixflow.gguf.GgufFile;
import dev.prefixflow.gguf.GgufFormatException;
import java.util.Arrays;

/**
 * Builds a model's tokenizer from the {@code tokenizer.ggml.*} metadata of its GGUF file, which is
 * all it reads: a vocabulary-only file (no tensors, any architecture) is enough.
 */
public final class TokenizerLoader {

    private static final String MODEL = "tokenizer.ggml.model";
    private static final String PRE = "tokenizer.ggml.pre";
    private static final String MERGES = "tokenizer.ggml.merges";
    /** llama.cpp's spelling. */
    private static final String SEP = "tokenizer.ggml.seperator_token_id";

    private TokenizerLoader() {
    }

    public static Tokenizer fromGguf(GgufFile file) throws GgufFormatException {
        String model = file.getString(MODEL);
        String[] tokens = file.getStringArray("tokenizer.ggml.tokens");
        if (model == null || tokens == null) {
            throw new GgufFormatException(file.path(), -1, model == null ? MODEL : "tokenizer.ggml.tokens",
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
        String[] merges = file.getStringArray(MERGES);
        // Defaults are llama.cpp's: SentencePiece adds BOS and a dummy space prefix, byte-level BPE
        // neither (but Llama 3's split adds BOS), and Gemma 4 always adds BOS.
        String pre = file.getString(PRE);
        boolean addBos;
        boolean addSpacePrefix;
        int bosId = 1;
        int eosId = 2;
        int unkId = 0;
        switch (model) {
            case "llama" -> {
                addBos = file.getBoolean("tokenizer.ggml.add_bos_token", true);
                addSpacePrefix = file.getBoolean("tokenizer.ggml.add_space_prefix", true);
            }
            case "gpt2" -> {
                addBos = file.getBoolean("tokenizer.ggml.add_bos_token", preTokenizer(file, pre).addsBosByDefault());
                addSpacePrefix = file.getBoolean("tokenizer.ggml.add_space_prefix", false);
            }
            case "gemma4" -> {
                addBos = true;
                addSpacePrefix = file.getBoolean("tokenizer.ggml.add_space_prefix", false);
            }
            case "bert" -> {
                // llama.cpp's WordPiece defaults: [CLS] 101 as BOS, [SEP] 102 (also the end), [UNK] 100.
                addBos = file.getBoolean("tokenizer.ggml.add_bos_token", true);
                addSpacePrefix = false;
                bosId = 101;
                eosId = tokenId(file, SEP, 102, tokens.length);
                unkId = 100;
            }
            default -> throw new GgufFormatException(file.path(), file.offset(MODEL), MODEL, Tokenizers.unsupported(model));
        }
        Vocabulary v = new Vocabulary(tokens, scores, types,
                tokenId(file, "tokenizer.ggml.bos_token_id", bosId, tokens.length),
                tokenId(file, "tokenizer.ggml.eos_token_id", eosId, tokens.length),
                tokenId(file, "tokenizer.ggml.unknown_token_id", unkId, tokens.length),
                addBos, addSpacePrefix,
                merges != null ? merges : new String[0],
                pre, stripsAfterSpecial(file));
        try {
            if (model.equals("bert")) {
                return new WordPieceTokenizer(v, tokenId(file, SEP, 102, tokens.length),
                        file.getBoolean("tokenizer.ggml.normalizer.lowercase", true),
                        file.getBoolean("tokenizer.ggml.normalizer.strip_accents",
                                file.getBoolean("tokenizer.ggml.normalizer.lowercase", true)));
            }
            return Tokenizers.fromVocabulary(model, v);
        } catch (IllegalArgumentException e) {
            // The message names what is wrong: the merge list, or the tokens (e.g. a missing byte).
            String key = e.getMessage().contains(MERGES) ? MERGES : "tokenizer.ggml.tokens";
            throw new GgufFormatException(file.path(), file.offset(key), key, e.getMessage());
        }
    }

    /**
     * Phi-3's added tokens drop the whitespace after them (tokenizer.json's rstrip). GGUF files do not
     * carry that flag; llama.cpp sets it for models whose general.name contains "phi-3" or "phi3", and we
     * follow it so that a Phi-3 chat prompt gets the same ids.
     */
    private static boolean stripsAfterSpecial(GgufFile file) throws GgufFormatException {
        String name = file.getString("general.name", "").toLowerCase(java.util.Locale.ROOT);
        return name.contains("phi-3") || name.contains("phi3");
    }

    private static PreTokenizer preTokenizer(GgufFile file, String name) throws GgufFormatException {
        try {
            return PreTokenizer.forName(name);
        } catch (IllegalArgumentException e) {
            throw new GgufFormatException(file.path(), file.offset(PRE), PRE, e.getMessage());
        }
    }

    private static void check(GgufFile file, String key, int length, int expected) throws GgufFormatException {
        if (length != expected) {
            throw new GgufFormatException(file.path(), file.offset(key), key,
                    "expected " + expected + " entries (one per token), found " + length);
        }
    }

    private static int tokenId(GgufFile file, String key, int fallback, int vocabSize) throws GgufFormatException {
        int id = file.getInt(key, fallback);
        if (id < 0 || id >= vocabSize) {
            throw new GgufFormatException(file.path(), file.offset(key), key,
                    "token id " + id + " is outside the vocabulary of " + vocabSize);
        }
        return id;
    }
}
