package dev.prefixflow.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Streaming decode of byte tokens with the KJV model's tokenizer. */
class IncrementalDecoderTest {

    private static Tokenizer tokenizer;

    @BeforeAll
    static void load() throws IOException {
        tokenizer = TestTokenizers.kjv();
    }

    @Test
    void holdsAFourByteCharacterUntilItsLastByte() {
        IncrementalDecoder decoder = tokenizer.decoder();
        int[] thumbsUp = {byteToken(0xF0), byteToken(0x9F), byteToken(0x91), byteToken(0x8D)};
        assertEquals("", decoder.next(thumbsUp[0]));
        assertEquals("", decoder.next(thumbsUp[1]));
        assertEquals("", decoder.next(thumbsUp[2]));
        assertEquals("\uD83D\uDC4D", decoder.next(thumbsUp[3]));
        assertEquals("", decoder.flush());
        assertEquals("\uD83D\uDC4D", tokenizer.decode(thumbsUp));
    }

    @Test
    void invalidBytesBecomeReplacementCharactersOnceCertain() {
        IncrementalDecoder decoder = tokenizer.decoder();
        assertEquals("\uFFFD", decoder.next(byteToken(0xFF)));
        assertEquals("", decoder.next(byteToken(0xE6)));
        // 'A' cannot continue the sequence that 0xE6 started.
        assertEquals("\uFFFDA", decoder.next(byteToken(0x41)));
    }

    @Test
    void flushReleasesAnIncompleteCharacterAsReplacement() {
        IncrementalDecoder decoder = tokenizer.decoder();
        int[] ids = {byteToken(0x41), byteToken(0xE6), byteToken(0x97)};
        assertEquals("A", decoder.next(ids[0]));
        assertEquals("", decoder.next(ids[1]));
        assertEquals("", decoder.next(ids[2]));
        assertEquals("\uFFFD", decoder.flush());
        assertEquals("A\uFFFD", tokenizer.decode(ids));
    }

    @Test
    void dropsTheDummyPrefixSpaceOnlyAtTheStart() {
        int and = tokenizer.encode("And", false)[0];
        assertEquals("\u2581And", tokenizer.piece(and));
        IncrementalDecoder decoder = tokenizer.decoder();
        assertEquals("", decoder.next(tokenizer.bosId()));
        assertEquals("And", decoder.next(and));
        assertEquals(" And", decoder.next(and));
        assertEquals("", decoder.next(tokenizer.eosId()));
        assertEquals("And And", tokenizer.decode(new int[] {tokenizer.bosId(), and, and, tokenizer.eosId()}));
        assertEquals(" And", tokenizer.decode(new int[] {tokenizer.eosId(), and}));
    }

    private static int byteToken(int value) {
        String piece = String.format("<0x%02X>", value);
        for (int id = 0; id < tokenizer.vocabularySize(); id++) {
            if (tokenizer.piece(id).equals(piece)) {
                return id;
            }
        }
        throw new AssertionError("no byte token " + piece);
    }
}
