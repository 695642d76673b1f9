package dev.prefixflow.engine.structured;

import java.util.ArrayList;
import java.util.List;
import org.apache.lucene.util.automaton.Automata;
import org.apache.lucene.util.automaton.Automaton;
import org.apache.lucene.util.automaton.Operations;
import org.apache.lucene.util.automaton.TooComplexToDeterminizeException;

/**
 * The pieces of JSON text as automata over code points, bounded as llama.cpp's JSON-schema grammar
 * bounds them: at most 16 integer digits, 16 fraction digits and 16 exponent digits, whitespace
 * runs of at most 20 characters after a newline, and (for values of no given shape) at most {@link
 * #GENERIC_DEPTH} nested objects or arrays, since nesting without a bound is not regular. An
 * automaton has to remember which bracket closes each open level, so its size doubles per level:
 * json_object's byte DFA has 1.3k states at 3 levels, 5.8k at 5 and 11.8k at 6. Five levels cover
 * what models write in practice; json_object's DFA is built once per JVM (the generic values are
 * cached here, the DFA in {@link ConstraintDfas}) in under a second once the JIT is warm, 4-5 s in
 * a fresh JVM on a loaded 2-core machine. A sixth level would double that, and every schema that
 * embeds an untyped value.
 */
final class JsonLanguages {
    static final int MAX_INTEGER_DIGITS = 16;
    static final int MAX_FRACTION_DIGITS = 16;
    static final int MAX_WHITESPACE = 20;
    static final int GENERIC_DEPTH = 5;
    /** Determinization work allowed per automaton before a constraint is refused as too complex. */
    static final int WORK_LIMIT = 200_000;
    /** Generic values by depth, built on first use; automata are never changed once built. */
    /*
     * Pieces of every schema, built once per JVM in minimal form: a schema's compile reuses them
     * (Operations copy their arguments) instead of building and determinizing them again each time.
     */
    private static final Automaton WHITESPACE = buildWhitespace();
    private static final Automaton PLAIN_CHAR = buildPlainChar();
    private static final Automaton STRING_CHAR = buildStringChar();
    private static final Automaton[] VALUES = new Automaton[GENERIC_DEPTH];
    private static Automaton anyObject;

    private JsonLanguages() {
    }

    static Automaton text(String s) {
        return Automata.makeString(s);
    }

    static Automaton concat(Automaton... parts) {
        return Operations.concatenate(List.of(parts));
    }

    static Automaton union(List<Automaton> parts) {
        return parts.isEmpty() ? Automata.makeEmpty() : Operations.union(parts);
    }

    static Automaton anyOf(String chars) {
        List<Automaton> out = new ArrayList<>();
        chars.codePoints().forEach(c -> out.add(Automata.makeChar(c)));
        return union(out);
    }

    /** A deterministic form: copies stay small when a piece is used in several places. */
    static Automaton compact(Automaton a) {
        try {
            return Operations.determinize(a, WORK_LIMIT);
        } catch (TooComplexToDeterminizeException e) {
            throw tooComplex();
        }
    }

    /** The minimal deterministic form, for pieces built once and used everywhere. */
    static Automaton minimal(Automaton a) {
        return Minimizer.minimize(compact(a));
    }

    private static IllegalArgumentException tooComplex() {
        return new IllegalArgumentException("the constraint is too complex to compile (more than " + WORK_LIMIT
                + " automaton states)");
    }

    /** llama.cpp's {@code space}: nothing, one space, or a newline and up to 20 spaces or tabs. */
    static Automaton whitespace() {
        return WHITESPACE;
    }

    private static Automaton buildWhitespace() {
        Automaton indent = Operations.repeat(anyOf(" \t"), 0, MAX_WHITESPACE);
        return minimal(Operations.optional(Operations.union(Automata.makeChar(' '),
                concat(Automata.makeChar('\n'), indent))));
    }

    /** A character that stands for itself inside a JSON string (no escape, no lone surrogate). */
    static Automaton plainChar() {
        return PLAIN_CHAR;
    }

    private static Automaton buildPlainChar() {
        return minimal(union(List.of(Automata.makeCharRange(0x20, 0x21), Automata.makeCharRange(0x23, 0x5B),
                Automata.makeCharRange(0x5D, 0xD7FF), Automata.makeCharRange(0xE000, Character.MAX_CODE_POINT))));
    }

    /** One character of a JSON string as written: plain, or an escape (never of a lone surrogate). */
    static Automaton stringChar() {
        return STRING_CHAR;
    }

    private static Automaton buildStringChar() {
        Automaton hex = union(List.of(Automata.makeCharRange('0', '9'), Automata.makeCharRange('a', 'f'),
                Automata.makeCharRange('A', 'F')));
        Automaton notSurrogate = Operations.union(
                concat(union(List.of(Automata.makeCharRange('0', '9'), Automata.makeCharRange('a', 'c'),
                        Automata.makeCharRange('A', 'C'), Automata.makeCharRange('e', 'f'),
                        Automata.makeCharRange('E', 'F'))), hex, hex, hex),
                concat(anyOf("dD"), Automata.makeCharRange('0', '7'), hex, hex));
        Automaton escape = concat(Automata.makeChar('\\'),
                Operations.union(anyOf("\"\\/bfnrt"), concat(Automata.makeChar('u'), notSurrogate)));
        return minimal(Operations.union(plainChar(), escape));
    }

    static Automaton quoted(Automaton body) {
        return concat(Automata.makeChar('"'), body, Automata.makeChar('"'));
    }

    static Automaton anyString() {
        return quoted(Operations.repeat(stringChar()));
    }

    static Automaton digits(int min, int max) {
        return Operations.repeat(Automata.makeCharRange('0', '9'), min, max);
    }

    /** 0, or up to 16 digits without a leading zero. */
    static Automaton natural() {
        return Operations.union(Automata.makeChar('0'),
                concat(Automata.makeCharRange('1', '9'), digits(0, MAX_INTEGER_DIGITS - 1)));
    }

    static Automaton integer() {
        return concat(Operations.optional(Automata.makeChar('-')), natural());
    }

    static Automaton fraction() {
        return concat(Automata.makeChar('.'), digits(1, MAX_FRACTION_DIGITS));
    }

    static Automaton number() {
        Automaton exponent = concat(anyOf("eE"), Operations.optional(anyOf("+-")), natural());
        return concat(integer(), Operations.optional(fraction()), Operations.optional(exponent));
    }

    static Automaton scalar() {
        return union(List.of(anyString(), number(), text("true"), text("false"), text("null")));
    }

    /** {@code open ws (element (ws , ws element)*)? ws close}, with a count of elements in [min, max] (max -1: any). */
    static Automaton list(char open, Automaton element, int min, int max, char close) {
        Automaton ws = whitespace();
        Automaton more = concat(ws, Automata.makeChar(','), ws, element);
        Automaton body;
        if (max == 0) {
            body = Automata.makeEmptyString();
        } else {
            int from = Math.max(min - 1, 0);
            Automaton rest = max < 0 ? Operations.repeat(more, from) : Operations.repeat(more, from, max - 1);
            body = concat(element, rest);
            if (min == 0) {
                body = Operations.optional(body);
            }
        }
        return concat(Automata.makeChar(open), ws, body, ws, Automata.makeChar(close));
    }

    /** Any JSON value with at most {@code depth} levels of objects and arrays. */
    static synchronized Automaton value(int depth) {
        if (VALUES[depth] == null) {
            VALUES[depth] = depth == 0 ? minimal(scalar())
                    : minimal(union(List.of(scalar(), object(value(depth - 1)), list('[', value(depth - 1), 0, -1, ']'))));
        }
        return VALUES[depth];
    }

    /** Any JSON object whose member values are {@code value}. */
    static Automaton object(Automaton value) {
        Automaton ws = whitespace();
        return list('{', concat(anyString(), ws, Automata.makeChar(':'), ws, value), 0, -1, '}');
    }

    /** OpenAI's json_object: any object, nested at most {@link #GENERIC_DEPTH} levels deep (itself included). */
    static synchronized Automaton anyObject() {
        if (anyObject == null) {
            anyObject = minimal(object(value(GENERIC_DEPTH - 1)));
        }
        return anyObject;
    }
}
