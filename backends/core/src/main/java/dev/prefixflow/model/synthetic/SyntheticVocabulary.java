package dev.prefixflow.model.synthetic;

import dev.prefixflow.gguf.GgufValueType;
import dev.prefixflow.gguf.GgufWriter;
import dev.prefixflow.tokenizer.Vocabulary;

/**
 * A SentencePiece ('llama') vocabulary of any size: {@code <unk>}, {@code <s>}, {@code </s>}, the 256
 * byte tokens, the characters {@code ▁ w 0..9} and {@code ▁w}, then the word pieces {@code ▁w0, ▁w1, ...}.
 * Every prefix of a piece is an earlier piece, so SentencePiece's pairwise merging can reach each one;
 * earlier pieces score higher. Other text falls back to byte tokens.
 */
final class SyntheticVocabulary {

    static final int UNK = 0;
    static final int BOS = 1;
    static final int EOS = 2;
    private static final String[] CHARACTERS = {"\u2581", "w", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9",
        "\u2581w"};

    private SyntheticVocabulary() {
    }

    /** Puts the {@code tokenizer.ggml.*} keys TokenizerLoader reads. */
    static void putInto(GgufWriter w, int size) {
        String[] tokens = new String[size];
        float[] scores = new float[size];
        int[] types = new int[size];
        tokens[UNK] = "<unk>";
        types[UNK] = Vocabulary.UNKNOWN_TYPE;
        tokens[BOS] = "<s>";
        types[BOS] = Vocabulary.CONTROL_TYPE;
        tokens[EOS] = "</s>";
        types[EOS] = Vocabulary.CONTROL_TYPE;
        for (int b = 0; b < 256; b++) {
            tokens[3 + b] = String.format("<0x%02X>", b);
            types[3 + b] = Vocabulary.BYTE_TYPE;
        }
        for (int id = ModelShape.MIN_VOCAB; id < size; id++) {
            int piece = id - ModelShape.MIN_VOCAB;
            tokens[id] = piece < CHARACTERS.length ? CHARACTERS[piece] : "\u2581w" + (piece - CHARACTERS.length);
            scores[id] = -piece;
            types[id] = Vocabulary.NORMAL_TYPE;
        }
        w.putString("tokenizer.ggml.model", "llama")
                .putStringArray("tokenizer.ggml.tokens", tokens)
                .putFloatArray("tokenizer.ggml.scores", scores)
                .putIntArray("tokenizer.ggml.token_type", GgufValueType.INT32, types)
                .putUInt32("tokenizer.ggml.bos_token_id", BOS)
                .putUInt32("tokenizer.ggml.eos_token_id", EOS)
                .putUInt32("tokenizer.ggml.unknown_token_id", UNK)
                .putBool("tokenizer.ggml.add_bos_token", true);
    }
}
