package dev.prefixflow.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Merge order, BOS and special tokens on hand-made vocabularies, then GPT-2's own. */
class ByteLevelBpeTokenizerTest {

    private static Tokenizer tokenizer(String... merges) {
        return new ByteLevelBpeTokenizer(ByteLevelVocabularies.of(null, false, merges));
    }

    @Test
    void appliesTheLowestRankedMergeFirst() {
        assertArrayEquals(new int[] {'a', 256}, tokenizer("b a", "a b").encode("aba", false));
        assertArrayEquals(new int[] {256, 'a'}, tokenizer("a b", "b a").encode("aba", false));
    }

    /** As llama.cpp (and MPT's runs of spaces): user-defined tokens come out of the text first, longest first. */
    @Test
    void userDefinedTokensAreCutOutLongestFirstControlTokensNever() {
        Vocabulary v = ByteLevelVocabularies.of("gpt-2", false, "x y", "xy z");
        v.tokens()[256] = "  ";
        v.tokens()[257] = "   ";
        v.tokenTypes()[256] = Vocabulary.USER_DEFINED_TYPE;
        v.tokenTypes()[257] = Vocabulary.USER_DEFINED_TYPE;
        Tokenizer t = new ByteLevelBpeTokenizer(v);
        assertArrayEquals(new int[] {'a', 257, 'b', 256, 'c'}, t.encode("a   b  c", false));
        assertEquals("a   b  c", t.decode(t.encode("a   b  c", false)));
        int[] literal = t.encode("<|endoftext|>", false);
        assertEquals("<|endoftext|>".length(), literal.length, "control token text stays text: " + Arrays.toString(literal));
    }

    @Test
    void mergesRepeatedPairsLeftToRight() {
        assertArrayEquals(new int[] {256, 256, 'a'}, tokenizer("a a").encode("aaaaa", false));
    }

    @Test
    void mergesMergedTokensFurther() {
        assertArrayEquals(new int[] {257}, tokenizer("a b", "ab c").encode("abc", false));
    }

    @Test
    void mergesTheUtf8BytesOfACharacter() {
        // é is C3 A9, written Ã© in the byte alphabet.
        Tokenizer t = tokenizer("Ã ©");
        assertArrayEquals(new int[] {256, ' ', 256}, t.encode("é é", false));
        assertEquals("é é", t.decode(new int[] {256, ' ', 256}));
    }

    @Test
    void mergesAVeryLongPreTokenCompletely() {
        int[] ids = tokenizer("a b", "ab ab").encode("ab".repeat(50_000), false);
        int[] expected = new int[25_000];
        Arrays.fill(expected, 257);
        assertArrayEquals(expected, ids);
    }

    @Test
    void addsBosOnlyWhenTheVocabularyAsksForIt() {
        Tokenizer withBos = new ByteLevelBpeTokenizer(ByteLevelVocabularies.of(null, true));
        int bos = withBos.bosId();
        assertArrayEquals(new int[] {bos, 'h', 'i'}, withBos.encode("hi", true));
        assertArrayEquals(new int[] {'h', 'i'}, withBos.encode("hi", false));
        assertArrayEquals(new int[] {'h', 'i'}, tokenizer().encode("hi", true));
    }

    @Test
    void aLoneSurrogateIsEncodedAsTheReplacementCharacter() {
        Tokenizer t = tokenizer();
        assertArrayEquals(new int[] {0xEF, 0xBF, 0xBD}, t.encode("\uD800", false));
    }

    @Test
    void literalEndOfTextIsPlainText() throws IOException {
        Tokenizer gpt2 = TestTokenizers.gpt2();
        int[] ids = gpt2.encode("<|endoftext|>", true);
        assertArrayEquals(new int[] {27, 91, 437, 1659, 5239, 91, 29}, ids);
        assertEquals("<|endoftext|>", gpt2.piece(50256));
        assertTrue(gpt2.isControl(50256));
        assertFalse(gpt2.isControl(ids[0]));
        assertEquals(50256, gpt2.eosId());
        assertFalse(gpt2.addsBos());
    }

    @Test
    void controlTokensDecodeToNothing() throws IOException {
        Tokenizer gpt2 = TestTokenizers.gpt2();
        assertEquals("<>", gpt2.decode(new int[] {27, 50256, 29}));
    }

    @Test
    void incrementalDecoderHoldsACharacterSplitAcrossTokens() throws IOException {
        Tokenizer gpt2 = TestTokenizers.gpt2();
        int[] herb = gpt2.encode("🌿", false);
        assertArrayEquals(new int[] {8582, 234, 123}, herb);
        IncrementalDecoder decoder = gpt2.decoder();
        assertEquals("", decoder.next(herb[0]));
        assertEquals("", decoder.next(herb[1]));
        assertEquals("🌿", decoder.next(herb[2]));
        assertEquals("", decoder.next(herb[0]));
        assertEquals("\uFFFD", decoder.flush());
    }

    @Test
    void llama3TakesAPreTokenThatIsATokenWholeAndGpt2MergesIt() {
        // "abc" is a token, but merging by rank reaches only "ab" + "c": "a b" outranks "b c".
        String[] merges = {"a b", "b c", "a bc"};
        Tokenizer llama3 = new ByteLevelBpeTokenizer(ByteLevelVocabularies.of("llama-bpe", false, merges));
        Tokenizer gpt2 = new ByteLevelBpeTokenizer(ByteLevelVocabularies.of("gpt-2", false, merges));
        assertArrayEquals(new int[] {258}, llama3.encode("abc", false));
        assertArrayEquals(new int[] {256, 'c'}, gpt2.encode("abc", false));
        assertEquals("abc", llama3.decode(llama3.encode("abc", false)));
    }
}
