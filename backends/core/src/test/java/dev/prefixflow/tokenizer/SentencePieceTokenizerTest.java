package dev.prefixflow.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Merge order, byte fallback and special-token handling on small hand-made vocabularies. */
class SentencePieceTokenizerTest {

    private static final int UNK = 0;
    private static final int BOS = 1;
    private static final int EOS = 2;

    /** Token ids follow the order of {@code pieces}, after unk, BOS, EOS and the 256 byte tokens. */
    private static Tokenizer tokenizer(boolean addBos, Object... piecesAndScores) {
        List<String> tokens = new ArrayList<>(List.of("<unk>", "<s>", "</s>"));
        List<Float> scores = new ArrayList<>(List.of(0f, 0f, 0f));
        List<Integer> types = new ArrayList<>(List.of(Vocabulary.UNKNOWN_TYPE, Vocabulary.CONTROL_TYPE, Vocabulary.CONTROL_TYPE));
        for (int b = 0; b < 256; b++) {
            tokens.add(String.format("<0x%02X>", b));
            scores.add(0f);
            types.add(Vocabulary.BYTE_TYPE);
        }
        for (int i = 0; i < piecesAndScores.length; i += 2) {
            tokens.add((String) piecesAndScores[i]);
            scores.add(((Number) piecesAndScores[i + 1]).floatValue());
            types.add(Vocabulary.NORMAL_TYPE);
        }
        float[] scoreArray = new float[scores.size()];
        for (int i = 0; i < scoreArray.length; i++) {
            scoreArray[i] = scores.get(i);
        }
        Vocabulary vocabulary = new Vocabulary(tokens.toArray(String[]::new), scoreArray,
                types.stream().mapToInt(Integer::intValue).toArray(), BOS, EOS, UNK, addBos, true);
        return new SentencePieceTokenizer(vocabulary);
    }

    private static int id(int pieceIndex) {
        return 259 + pieceIndex;
    }

    @Test
    void mergesTheHighestScoringPairFirst() {
        Tokenizer t = tokenizer(true, "\u2581", -1, "a", -1, "b", -1, "ab", -3, "ba", -2);
        assertArrayEquals(new int[] {id(0), id(1), id(4)}, t.encode("aba", false));
        t = tokenizer(true, "\u2581", -1, "a", -1, "b", -1, "ab", -2, "ba", -3);
        assertArrayEquals(new int[] {id(0), id(3), id(1)}, t.encode("aba", false));
    }

    @Test
    void breaksScoreTiesLeftmostFirst() {
        Tokenizer t = tokenizer(true, "\u2581", -1, "a", -1, "b", -1, "ab", -2, "ba", -2);
        assertArrayEquals(new int[] {id(0), id(3), id(1)}, t.encode("aba", false));
    }

    @Test
    void mergesRepeatedlyIntoLongerTokens() {
        Tokenizer t = tokenizer(true, "\u2581", -1, "a", -1, "b", -1, "\u2581a", -2, "\u2581ab", -3);
        assertArrayEquals(new int[] {id(4), id(3)}, t.encode("ab a", false));
        assertEquals("ab a", t.decode(t.encode("ab a", false)));
    }

    @Test
    void wordsAreMergedOnTheirOwnOnlyWhenNoTokenJoinsTwoWords() {
        // Without a token spanning words, "a b a b" is two repeats of one word (the second a cache hit).
        Tokenizer byWord = tokenizer(true, "\u2581", -1, "a", -1, "b", -1, "\u2581a", -2, "\u2581b", -2);
        assertArrayEquals(new int[] {id(3), id(4), id(3), id(4)}, byWord.encode("a b a b", false));
        // "a\u2581b" joins two words and outscores "\u2581b": the whole text must be merged at once.
        Tokenizer across = tokenizer(true, "\u2581", -1, "a", -1, "b", -1, "\u2581a", -3, "\u2581b", -2,
                "a\u2581b", -1);
        assertArrayEquals(new int[] {id(0), id(5), id(4)}, across.encode("a b b", false));
        assertEquals("a b b", across.decode(across.encode("a b b", false)));
    }

    @Test
    void fallsBackToUtf8ByteTokensForUnknownCharacters() {
        Tokenizer t = tokenizer(true, "\u2581", -1, "a", -1);
        // 'é' is C3 A9; byte token of value b has id 3 + b.
        assertArrayEquals(new int[] {id(0), 3 + 0xC3, 3 + 0xA9, id(1)}, t.encode("éa", false));
        assertEquals("éa", t.decode(t.encode("éa", false)));
    }

    @Test
    void neverMatchesControlTokensFromText() {
        // "<s" + ">" would form the control token "<s>" if control tokens were matched.
        Tokenizer t = tokenizer(true, "\u2581", -1, "<", -1, "s", -1, ">", -1, "<s", -1);
        assertArrayEquals(new int[] {BOS, id(0), id(4), id(3)}, t.encode("<s>", true));
    }

    @Test
    void addsBosOnlyWhenAskedAndTheVocabularyWantsIt() {
        assertArrayEquals(new int[] {BOS, id(0), id(1)}, tokenizer(true, "\u2581", -1, "a", -1).encode("a", true));
        assertArrayEquals(new int[] {id(0), id(1)}, tokenizer(true, "\u2581", -1, "a", -1).encode("a", false));
        assertArrayEquals(new int[] {id(0), id(1)}, tokenizer(false, "\u2581", -1, "a", -1).encode("a", true));
        assertArrayEquals(new int[] {BOS}, tokenizer(true, "\u2581", -1).encode("", true));
    }

    @Test
    void controlAndUnknownTokensDecodeToNothing() {
        Tokenizer t = tokenizer(true, "\u2581", -1, "a", -1);
        assertTrue(t.isControl(BOS) && t.isControl(EOS) && t.isControl(UNK));
        assertFalse(t.isControl(id(1)));
        assertEquals("a", t.decode(new int[] {BOS, UNK, id(1), EOS}));
        assertEquals("<unk>", t.piece(UNK));
    }

    @Test
    void rejectsIdsOutsideTheVocabulary() {
        Tokenizer t = tokenizer(true, "\u2581", -1);
        assertThrows(IllegalArgumentException.class, () -> t.decode(new int[] {t.vocabularySize()}));
        assertThrows(IllegalArgumentException.class, () -> t.piece(-1));
    }
}
