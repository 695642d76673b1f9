package dev.prefixflow.engine.structured;

import static dev.prefixflow.engine.structured.JsonLanguages.concat;
import static dev.prefixflow.engine.structured.JsonLanguages.digits;
import static dev.prefixflow.engine.structured.JsonLanguages.text;

import java.util.ArrayList;
import java.util.List;
import org.apache.lucene.util.automaton.Automata;
import org.apache.lucene.util.automaton.Automaton;
import org.apache.lucene.util.automaton.Operations;

/**
 * JSON numbers between whole-number bounds, as automata. Magnitudes stay below 10^16 (the 16-digit
 * bound); bounded numbers have no exponent, and -0 is never written.
 */
final class NumberRanges {
    /** The largest magnitude 16 digits can write. */
    static final long LIMIT = 9_999_999_999_999_999L;

    private NumberRanges() {
    }

    /** Integers in [lo, hi] written without leading zeros. */
    static Automaton integers(long lo, long hi) {
        lo = Math.max(lo, -LIMIT);
        hi = Math.min(hi, LIMIT);
        List<Automaton> parts = new ArrayList<>();
        if (hi >= 0) {
            parts.add(naturals(Math.max(lo, 0), hi));
        }
        if (lo < 0) {
            parts.add(concat(Automata.makeChar('-'), naturals(Math.max(1, -Math.min(hi, -1)), -lo)));
        }
        return JsonLanguages.union(parts);
    }

    /** Numbers in [lo, hi], with or without a fraction: v = sign * (whole part + fraction). */
    static Automaton numbers(long lo, long hi) {
        lo = Math.max(lo, -LIMIT);
        hi = Math.min(hi, LIMIT);
        List<Automaton> parts = new ArrayList<>();
        if (hi >= 0 && lo <= hi) {
            parts.add(magnitudes(Math.max(lo, 0), hi));
        }
        if (lo < 0 && lo <= hi) {
            // A negative v in [lo, min(hi, 0)] has a magnitude in [max(-hi, 0), -lo].
            parts.add(concat(Automata.makeChar('-'), magnitudes(Math.max(-hi, 0), -lo)));
        }
        return JsonLanguages.union(parts);
    }

    /** Non-negative numbers in [a, b]: a whole part in [a, b-1] with any fraction, or b with a zero one. */
    private static Automaton magnitudes(long a, long b) {
        Automaton zeros = Operations.optional(concat(Automata.makeChar('.'),
                Operations.repeat(Automata.makeChar('0'), 1, JsonLanguages.MAX_FRACTION_DIGITS)));
        Automaton top = concat(text(Long.toString(b)), zeros);
        if (b == a) {
            return top;
        }
        return Operations.union(concat(naturals(a, b - 1), Operations.optional(JsonLanguages.fraction())), top);
    }

    /** Whole numbers in [lo, hi] (0 <= lo), without leading zeros. */
    static Automaton naturals(long lo, long hi) {
        List<Automaton> parts = new ArrayList<>();
        for (int length = Long.toString(lo).length(); length <= Long.toString(hi).length(); length++) {
            long first = length == 1 ? 0 : pow10(length - 1);
            long from = Math.max(lo, first);
            long to = Math.min(hi, pow10(length) - 1);
            if (from <= to) {
                parts.add(sameLength(Long.toString(from), Long.toString(to)));
            }
        }
        return JsonLanguages.union(parts);
    }

    /** Digit strings of one length between a and b, digit by digit. */
    private static Automaton sameLength(String a, String b) {
        if (a.chars().allMatch(c -> c == '0') && b.chars().allMatch(c -> c == '9')) {
            // Every digit string of this length: without this the recursion below doubles per digit.
            return digits(a.length(), a.length());
        }
        char x = a.charAt(0);
        char y = b.charAt(0);
        String restA = a.substring(1);
        String restB = b.substring(1);
        if (x == y) {
            return concat(Automata.makeChar(x), sameLength(restA, restB));
        }
        List<Automaton> parts = new ArrayList<>();
        parts.add(concat(Automata.makeChar(x), sameLength(restA, "9".repeat(restA.length()))));
        if (y - x > 1) {
            parts.add(concat(Automata.makeCharRange(x + 1, y - 1), digits(restA.length(), restA.length())));
        }
        parts.add(concat(Automata.makeChar(y), sameLength("0".repeat(restB.length()), restB)));
        return JsonLanguages.union(parts);
    }

    private static long pow10(int n) {
        long p = 1;
        for (int i = 0; i < n; i++) {
            p *= 10;
        }
        return p;
    }
}
