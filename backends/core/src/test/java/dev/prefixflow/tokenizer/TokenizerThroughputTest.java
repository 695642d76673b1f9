package dev.prefixflow.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Long inputs must tokenize in O(n log n); prints throughput instead of asserting a time. */
class TokenizerThroughputTest {

    private static Tokenizer tokenizer;

    @BeforeAll
    static void load() throws IOException {
        tokenizer = TestTokenizers.kjv();
    }

    @Test
    void tokenizesTwoHundredKilobytesOfProse() {
        String verse = "And God said, Let there be light: and there was light. And God saw the light, that it was good.\n";
        String text = verse.repeat(200_000 / verse.length() + 1);
        assertRoundTrip("prose", text);
    }

    @Test
    void tokenizesAHundredThousandCharactersWithoutSpaces() {
        assertRoundTrip("one long word", "abcdefghij".repeat(10_000));
    }

    private static void assertRoundTrip(String label, String text) {
        long start = System.nanoTime();
        int[] ids = tokenizer.encode(text, false);
        double seconds = (System.nanoTime() - start) / 1e9;
        System.err.printf("tokenizer %s: %d chars -> %d tokens, %.2f MB/s%n",
                label, text.length(), ids.length, text.length() / 1e6 / seconds);
        assertTrue(ids.length > 0 && ids.length < text.length());
        assertEquals(text, tokenizer.decode(ids));
    }
}
