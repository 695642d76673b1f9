package dev.prefixflow.tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Small hand-made byte-level BPE vocabularies: ids 0..255 are the bytes' one-character tokens, then
 * one token per merge in merge order, then the control token {@code <|endoftext|>} (BOS and EOS).
 */
final class ByteLevelVocabularies {
    private ByteLevelVocabularies() {
    }

    /** @param merges lines such as {@code "a b"}; a merge's token id is 256 plus its index */
    static Vocabulary of(String pre, boolean addBos, String... merges) {
        List<String> tokens = new ArrayList<>();
        for (int b = 0; b < 256; b++) {
            tokens.add(ByteLevelAlphabet.charOf(b));
        }
        for (String merge : merges) {
            tokens.add(merge.replace(" ", ""));
        }
        tokens.add("<|endoftext|>");
        int[] types = new int[tokens.size()];
        Arrays.fill(types, Vocabulary.NORMAL_TYPE);
        int endOfText = tokens.size() - 1;
        types[endOfText] = Vocabulary.CONTROL_TYPE;
        return new Vocabulary(tokens.toArray(String[]::new), new float[tokens.size()], types,
                endOfText, endOfText, 0, addBos, false, merges, pre);
    }
}
