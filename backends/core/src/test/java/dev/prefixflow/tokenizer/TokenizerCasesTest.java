package dev.prefixflow.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.prefixflow.testing.TestModels;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The KJV model's tokenizer against models/tokenizer-cases.json (reference ids, without BOS). */
class TokenizerCasesTest {

    private record Case(String text, int[] ids) {}

    private static Tokenizer tokenizer;
    private static List<Case> cases;

    @BeforeAll
    static void load() throws IOException {
        tokenizer = KjvTokenizer.load();
        JsonNode root = new ObjectMapper().readTree(TestModels.path("tokenizer-cases.json").toFile());
        cases = new ArrayList<>();
        for (JsonNode node : root.get("cases")) {
            int[] ids = new int[node.get("ids").size()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = node.get("ids").get(i).asInt();
            }
            cases.add(new Case(node.get("text").asText(), ids));
        }
        assertTrue(cases.size() > 100, "expected the full case list, got " + cases.size());
    }

    @Test
    void encodeMatchesReferenceIdsForEveryCase() {
        List<String> failures = new ArrayList<>();
        for (Case c : cases) {
            int[] actual = tokenizer.encode(c.text(), false);
            if (!Arrays.equals(c.ids(), actual)) {
                failures.add(quote(c.text()) + ": expected " + Arrays.toString(c.ids()) + " got " + Arrays.toString(actual));
            }
        }
        assertEquals(List.of(), failures);
    }

    @Test
    void decodeRestoresTextForEveryCase() {
        List<String> failures = new ArrayList<>();
        for (Case c : cases) {
            // U+2581 in the input is indistinguishable from the space SentencePiece maps to it.
            String expected = c.text().replace('\u2581', ' ');
            String actual = tokenizer.decode(c.ids());
            if (!expected.equals(actual)) {
                failures.add("expected " + quote(expected) + " got " + quote(actual));
            }
        }
        assertEquals(List.of(), failures);
    }

    @Test
    void incrementalDecodeEqualsDecodeForEveryCase() {
        List<String> failures = new ArrayList<>();
        for (Case c : cases) {
            for (boolean withBos : new boolean[] {false, true}) {
                int[] ids = withBos ? prependBos(c.ids()) : c.ids();
                IncrementalDecoder decoder = tokenizer.decoder();
                StringBuilder streamed = new StringBuilder();
                for (int id : ids) {
                    streamed.append(decoder.next(id));
                }
                streamed.append(decoder.flush());
                if (!tokenizer.decode(ids).contentEquals(streamed)) {
                    failures.add(quote(c.text()) + (withBos ? " after BOS" : "") + ": streamed " + quote(streamed.toString()));
                }
            }
        }
        assertEquals(List.of(), failures);
    }

    private static int[] prependBos(int[] ids) {
        int[] withBos = new int[ids.length + 1];
        withBos[0] = tokenizer.bosId();
        System.arraycopy(ids, 0, withBos, 1, ids.length);
        return withBos;
    }

    private static String quote(String text) {
        return "'" + text.replace("\n", "\\n").replace("\t", "\\t") + "'";
    }
}
