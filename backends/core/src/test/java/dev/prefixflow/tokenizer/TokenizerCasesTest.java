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
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each test model's tokenizer against its reference cases (ids without BOS): kjv-5m's from
 * SentencePiece itself, GPT-2's from gpt-3-encoder (equal to tiktoken's r50k_base).
 */
class TokenizerCasesTest {

    private record Case(String text, int[] ids) {}

    /** @param decoded the text that decoding a case's ids gives back */
    private record CaseSet(String file, Tokenizer tokenizer, List<Case> cases, UnaryOperator<String> decoded) {
        @Override
        public String toString() {
            return file;
        }
    }

    static Stream<CaseSet> caseSets() throws IOException {
        // U+2581 in the input is indistinguishable from the space SentencePiece maps to it.
        return Stream.of(
                new CaseSet("tokenizer-cases.json", TestTokenizers.kjv(), cases("tokenizer-cases.json"),
                        text -> text.replace('\u2581', ' ')),
                new CaseSet("gpt2-tokenizer-cases.json", TestTokenizers.gpt2(), cases("gpt2-tokenizer-cases.json"),
                        UnaryOperator.identity()));
    }

    private static List<Case> cases(String file) throws IOException {
        JsonNode root = new ObjectMapper().readTree(TestModels.path(file).toFile());
        List<Case> cases = new ArrayList<>();
        for (JsonNode node : root.get("cases")) {
            int[] ids = new int[node.get("ids").size()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = node.get("ids").get(i).asInt();
            }
            cases.add(new Case(node.get("text").asText(), ids));
        }
        assertTrue(cases.size() > 100, "expected the full case list of " + file + ", got " + cases.size());
        return cases;
    }

    @ParameterizedTest
    @MethodSource("caseSets")
    void encodeMatchesReferenceIdsForEveryCase(CaseSet set) {
        List<String> failures = new ArrayList<>();
        for (Case c : set.cases()) {
            int[] actual = set.tokenizer().encode(c.text(), false);
            if (!Arrays.equals(c.ids(), actual)) {
                failures.add(quote(c.text()) + ": expected " + Arrays.toString(c.ids()) + " got " + Arrays.toString(actual));
            }
        }
        assertEquals(List.of(), failures);
    }

    @ParameterizedTest
    @MethodSource("caseSets")
    void decodeRestoresTextForEveryCase(CaseSet set) {
        List<String> failures = new ArrayList<>();
        for (Case c : set.cases()) {
            String expected = set.decoded().apply(c.text());
            String actual = set.tokenizer().decode(c.ids());
            if (!expected.equals(actual)) {
                failures.add("expected " + quote(expected) + " got " + quote(actual));
            }
        }
        assertEquals(List.of(), failures);
    }

    @ParameterizedTest
    @MethodSource("caseSets")
    void incrementalDecodeEqualsDecodeForEveryCase(CaseSet set) {
        Tokenizer tokenizer = set.tokenizer();
        List<String> failures = new ArrayList<>();
        for (Case c : set.cases()) {
            for (boolean withBos : new boolean[] {false, true}) {
                int[] ids = withBos ? prependBos(tokenizer, c.ids()) : c.ids();
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

    private static int[] prependBos(Tokenizer tokenizer, int[] ids) {
        int[] withBos = new int[ids.length + 1];
        withBos[0] = tokenizer.bosId();
        System.arraycopy(ids, 0, withBos, 1, ids.length);
        return withBos;
    }

    private static String quote(String text) {
        return "'" + text.replace("\n", "\\n").replace("\t", "\\t") + "'";
    }
}
