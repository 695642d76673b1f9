package dev.prefixflow.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TokenizersTest {

    private static Vocabulary vocabulary() {
        return new Vocabulary(new String[] {"<unk>", "<s>", "</s>"}, new float[3],
                new int[] {Vocabulary.UNKNOWN_TYPE, Vocabulary.CONTROL_TYPE, Vocabulary.CONTROL_TYPE}, 1, 2, 0, true, true);
    }

    @Test
    void llamaIsSentencePiece() {
        assertInstanceOf(SentencePieceTokenizer.class, Tokenizers.fromVocabulary("llama", vocabulary()));
    }

    @Test
    void gpt2IsByteLevelBpe() {
        assertInstanceOf(ByteLevelBpeTokenizer.class,
                Tokenizers.fromVocabulary("gpt2", ByteLevelVocabularies.of("qwen2", false)));
    }

    @Test
    void unknownPreTokenizerIsRejectedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tokenizers.fromVocabulary("gpt2", ByteLevelVocabularies.of("chameleon", false)));
        assertTrue(e.getMessage().startsWith("unsupported pre-tokenizer 'chameleon' (tokenizer.ggml.pre; supported: "
                + "gpt-2, phi-2, mpt,"), e.getMessage());
    }

    @Test
    void byteWithoutTokenIsDroppedAsLlamaCppDoes() {
        // Vocabularies leave out bytes UTF-8 never uses (0xC0, 0xF5..); llama.cpp drops such a byte.
        Vocabulary v = ByteLevelVocabularies.of(null, false);
        v.tokenTypes()[0x41] = Vocabulary.UNUSED_TYPE;
        assertArrayEquals(new int[] {0x42, 0x43}, Tokenizers.fromVocabulary("gpt2", v).encode("ABC", false));
    }

    @Test
    void gemma4NeedsItsMergeList() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tokenizers.fromVocabulary("gemma4", vocabulary()));
        assertEquals("tokenizer model 'gemma4' needs tokenizer.ggml.merges", e.getMessage());
    }

    @Test
    void otherModelsAreRejectedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tokenizers.fromVocabulary("t5", vocabulary()));
        assertTrue(e.getMessage().startsWith("unsupported tokenizer model 't5'"), e.getMessage());
    }

    @Test
    void vocabularyRejectsInconsistentArraysAndIds() {
        assertThrows(IllegalArgumentException.class, () -> new Vocabulary(new String[2], new float[3], new int[3], 0, 0, 0, true, true));
        assertThrows(IllegalArgumentException.class, () -> new Vocabulary(new String[3], new float[3], new int[3], 3, 0, 0, true, true));
    }
}
