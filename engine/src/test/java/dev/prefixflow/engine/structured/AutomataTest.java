package dev.prefixflow.engine.structured;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.apache.lucene.util.automaton.Automaton;
import org.apache.lucene.util.automaton.ByteRunAutomaton;
import org.apache.lucene.util.automaton.MinimizationOperations;
import org.apache.lucene.util.automaton.Operations;
import org.apache.lucene.util.automaton.UTF32ToUTF8;
import org.junit.jupiter.api.Test;

/**
 * The automata structured outputs are built from, against independent oracles: java.util.regex for
 * translated regexes, BigDecimal comparisons for number ranges, Lucene's minimization for ours.
 */
class AutomataTest {

    @Test
    void minimizerGivesLucenesMinimalAutomaton() {
        List<Automaton> automata = List.of(Regexes.fullMatch("[A-Z]{2}-\\d{3,4}"), Regexes.search("(ab|a)c*$"),
                NumberRanges.numbers(-10, 120), JsonLanguages.anyString(), JsonLanguages.value(1),
                new UTF32ToUTF8().convert(JsonLanguages.value(1)), Regexes.fullMatch("(é|日本語|[a-z]){1,6}"));
        for (Automaton a : automata) {
            Automaton ours = Minimizer.minimize(deterministic(a));
            Automaton lucene = Operations.removeDeadStates(MinimizationOperations.minimize(a, JsonLanguages.WORK_LIMIT));
            assertTrue(Operations.sameLanguage(ours, lucene));
            assertEquals(lucene.getNumStates(), ours.getNumStates());
        }
        assertTrue(Operations.isEmpty(Minimizer.minimize(deterministic(Operations.intersection(
                Regexes.fullMatch("a+"), Regexes.fullMatch("b+"))))));
    }

    @Test
    void jsonObjectsNestFiveLevels() {
        ByteRunAutomaton dfa = ConstraintDfas.dfa(StructuredOutputsParams.anyJsonObject());
        assertTrue(run(dfa, "{\"a\": [{\"b\": [{\"c\": 1, \"d\": null}]}], \"e\": \"x\"}"));
        assertTrue(run(dfa, "{\"a\": [{\"b\": [[]]}]}"));
        assertTrue(!run(dfa, "{\"a\": [{\"b\": [{\"c\": [1]}]}]}"));
        assertTrue(!run(dfa, "{\"a\": 1,}"));
    }

    private static boolean run(ByteRunAutomaton dfa, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return dfa.run(bytes, 0, bytes.length);
    }

    @Test
    void regexesMatchWhatJavaRegexMatches() {
        List<String> regexes = List.of("[A-Z]{2}-\\d{3,4}", "(cat|dog)s? (is|are) (good|bad)\\.", "^a.c$",
                "(?:ab)+[^a-c]?", "(?P<x>x|y){2}z*?", "[\\w.+-]+@[a-z]+\\.(com|org)", "\\s*\"quoted\"\\s*",
                "[+-]?\\d+(\\.\\d+)?", "a{,2}b", "[]a]", "\\x41\\u00e9\\t", "<a href='x'>#@~&</a>", "[^\\d\\s]{1,3}");
        List<String> inputs = List.of("", "AB-123", "AB-12345", "ab-123", "cat is good.", "dogs are bad.", "cats isgood.",
                "abc", "a\nc", "abab", "ababd", "ababa", "xyzzz", "xy", "yyz", "john.d+x@mail.com", "a@b.net",
                "  \"quoted\"\t", "\"quoted\"", "-12.5", "+7", "1.", "b", "aab", "aaab", "]", "a", "Aé\t", "A\u00e9 ",
                "<a href='x'>#@~&</a>", "é", "x y", "éa", "12", "_", "ab-123");
        for (String regex : regexes) {
            Automaton a = Regexes.fullMatch(regex);
            Pattern p = Pattern.compile(regex.replace("(?P<", "(?<").replace("{,", "{0,"));
            for (String input : inputs) {
                assertEquals(p.matcher(input).matches(), accepts(a, input), regex + " on '" + input + "'");
            }
        }
    }

    @Test
    void patternsSearchUnlessAnchored() {
        assertTrue(accepts(Regexes.search("b+"), "abbc"));
        assertTrue(!accepts(Regexes.search("^b+"), "abbc"));
        assertTrue(accepts(Regexes.search("^a.*c$"), "abbc"));
    }

    @Test
    void regexConstructsWithoutARegularMeaningAreRefused() {
        for (String regex : List.of("(?=a)b", "(?i)abc", "a\\bc", "(a)\\1", "a^b", "(ab", "[ab")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Regexes.fullMatch(regex));
            assertTrue(e.getMessage().contains(regex), e.getMessage());
        }
    }

    @Test
    void integerRangesHoldExactlyTheirIntegers() {
        Random random = new Random(5);
        long[][] ranges = {{0, 100}, {-5, 130}, {-250, -17}, {7, 7}, {0, 0}, {99, 1001}, {-1, 1}};
        for (long[] r : ranges) {
            checkIntegers(r[0], r[1]);
        }
        for (int i = 0; i < 20; i++) {
            long lo = random.nextInt(20001) - 10000;
            checkIntegers(lo, lo + random.nextInt(3000));
        }
        Automaton big = NumberRanges.integers(1_000_000_000_000L, Long.MAX_VALUE);
        assertTrue(accepts(big, "9999999999999999"));
        assertTrue(!accepts(big, "10000000000000000"));
        assertTrue(!accepts(big, "999999999999"));
    }

    private static void checkIntegers(long lo, long hi) {
        Automaton a = deterministic(NumberRanges.integers(lo, hi));
        for (long v = lo - 40; v <= hi + 40; v++) {
            assertEquals(v >= lo && v <= hi, accepts(a, Long.toString(v)), v + " in [" + lo + ", " + hi + "]");
        }
        assertTrue(!accepts(a, "-0"));
        assertTrue(!accepts(a, "007"));
    }

    private static Automaton deterministic(Automaton a) {
        return Operations.determinize(a, JsonLanguages.WORK_LIMIT);
    }

    private static boolean accepts(Automaton a, String text) {
        return Operations.run(a.isDeterministic() ? a : deterministic(a), text);
    }

    @Test
    void numberRangesHoldExactlyTheirNumbers() {
        long[][] ranges = {{-10, 10}, {0, 1}, {-3, -1}, {5, 120}};
        for (long[] r : ranges) {
            Automaton a = deterministic(NumberRanges.numbers(r[0], r[1]));
            BigDecimal lo = BigDecimal.valueOf(r[0]);
            BigDecimal hi = BigDecimal.valueOf(r[1]);
            for (long whole = r[0] - 3; whole <= r[1] + 3; whole++) {
                for (String fraction : List.of("", ".0", ".00", ".5", ".05", ".999")) {
                    for (String sign : List.of("", "-")) {
                        String text = sign + Math.abs(whole) + fraction;
                        BigDecimal v = new BigDecimal(text);
                        // Zero is never written with a sign where the range holds no negative number.
                        boolean inside = v.compareTo(lo) >= 0 && v.compareTo(hi) <= 0
                                && !(sign.equals("-") && v.signum() == 0 && r[0] >= 0);
                        assertEquals(inside, accepts(a, text), text + " in [" + lo + ", " + hi + "]");
                    }
                }
            }
        }
    }
}
