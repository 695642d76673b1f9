package dev.prefixflow.engine.structured;

import org.apache.lucene.util.automaton.Automaton;
import org.apache.lucene.util.automaton.RegExp;
import org.apache.lucene.util.automaton.TooComplexToDeterminizeException;

/**
 * Regular expressions in the common (Python, ECMAScript) syntax, as automata: translated to Lucene's
 * syntax, which has no anchors, shorthand classes or group flags and treats a few more characters
 * as operators. Only constructs with a regular meaning are accepted; lookarounds, backreferences,
 * word boundaries and inline flags are errors naming the construct. Lazy quantifiers match the same
 * language as greedy ones, so they are read as such.
 */
final class Regexes {
    private static final String DIGIT = "0-9";
    private static final String WORD = "a-zA-Z0-9_";
    private static final String SPACE = " \\\t\\\n\\\r\\\f\\\u000B";

    private Regexes() {
    }

    /** The strings {@code regex} matches as a whole (as vLLM's guided_regex and Python's fullmatch). */
    static Automaton fullMatch(String regex) {
        String body = regex;
        if (body.startsWith("^")) {
            body = body.substring(1);
        }
        if (body.endsWith("$") && !body.endsWith("\\$")) {
            body = body.substring(0, body.length() - 1);
        }
        return compile(body, regex);
    }

    /** The strings that contain a match of {@code regex} (JSON Schema's pattern), anchors honoured. */
    static Automaton search(String regex) {
        boolean atStart = regex.startsWith("^");
        boolean atEnd = regex.endsWith("$") && !regex.endsWith("\\$");
        String body = regex.substring(atStart ? 1 : 0, regex.length() - (atEnd ? 1 : 0));
        String any = "(.|\\\n)*";
        return compile((atStart ? "" : any) + "(" + body + ")" + (atEnd ? "" : any), regex);
    }

    private static Automaton compile(String body, String original) {
        try {
            return new RegExp(translate(body, original), RegExp.NONE).toAutomaton();
        } catch (TooComplexToDeterminizeException e) {
            throw new IllegalArgumentException("the regex " + original + " is too complex to compile");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the regex " + original + " cannot be compiled: " + e.getMessage());
        }
    }

    /** Lucene syntax for {@code regex}; {@code original} names the regex in errors. */
    static String translate(String regex, String original) {
        StringBuilder out = new StringBuilder(regex.length() + 16);
        int[] cps = regex.codePoints().toArray();
        boolean inClass = false;
        for (int i = 0; i < cps.length; i++) {
            int c = cps[i];
            if (c == '\\') {
                if (i + 1 >= cps.length) {
                    throw problem(original, "it ends with a lone backslash");
                }
                i = escape(cps, i + 1, inClass, out, original);
            } else if (inClass) {
                if (c == ']') {
                    inClass = false;
                    out.append(']');
                } else if (c == '-' && cps[i - 1] != '[' && cps[i - 1] != '^' && i + 1 < cps.length
                        && cps[i + 1] != ']') {
                    out.append('-');
                } else {
                    literal(c, out);
                }
            } else if (c == '[') {
                inClass = true;
                out.append('[');
                if (i + 1 < cps.length && cps[i + 1] == '^') {
                    out.append('^');
                    i++;
                }
                if (i + 1 < cps.length && cps[i + 1] == ']') {
                    // A leading ] is a literal in Python and ECMAScript classes.
                    out.append("\\]");
                    i++;
                }
            } else if (c == '(') {
                out.append('(');
                if (i + 1 < cps.length && cps[i + 1] == '?') {
                    i = groupPrefix(cps, i + 2, original);
                }
            } else if (c == '.') {
                out.append("[^\\\n]");
            } else if (c == '*' || c == '+' || c == '?' || c == '}') {
                out.append((char) c);
                if (i + 1 < cps.length && cps[i + 1] == '?') {
                    i++;
                }
            } else if (c == '{') {
                // Python's {,m} is {0,m}.
                out.append('{');
                if (i + 1 < cps.length && cps[i + 1] == ',') {
                    out.append('0');
                }
            } else if (c == ')' || c == '|' || c == ',' || (c >= '0' && c <= '9')) {
                out.append((char) c);
            } else if (c == '^' || c == '$') {
                throw problem(original, "anchors are only supported at its start and end");
            } else {
                literal(c, out);
            }
        }
        if (inClass) {
            throw problem(original, "a character class is not closed");
        }
        return out.toString();
    }

    /** Translates the escape at {@code cps[i]}; returns the index of its last code point. */
    private static int escape(int[] cps, int i, boolean inClass, StringBuilder out, String original) {
        int c = cps[i];
        switch (c) {
            case 'd' -> out.append(inClass ? DIGIT : "[" + DIGIT + "]");
            case 'w' -> out.append(inClass ? WORD : "[" + WORD + "]");
            case 's' -> out.append(inClass ? SPACE : "[" + SPACE + "]");
            case 'D', 'W', 'S' -> {
                if (inClass) {
                    throw problem(original, "\\" + (char) c + " inside a character class is not supported");
                }
                String set = c == 'D' ? DIGIT : c == 'W' ? WORD : SPACE;
                out.append("[^").append(set).append(']');
            }
            case 'n' -> literal('\n', out);
            case 't' -> literal('\t', out);
            case 'r' -> literal('\r', out);
            case 'f' -> literal('\f', out);
            case 'v' -> literal(0x0B, out);
            case 'x' -> {
                literal(hex(cps, i + 1, 2, original), out);
                return i + 2;
            }
            case 'u' -> {
                literal(hex(cps, i + 1, 4, original), out);
                return i + 4;
            }
            default -> {
                if (Character.isLetterOrDigit(c)) {
                    throw problem(original, "\\" + new String(Character.toChars(c))
                            + " (word boundaries, backreferences and other such escapes) is not supported");
                }
                literal(c, out);
            }
        }
        return i;
    }

    /** After "(?": non-capturing and named groups are plain groups; anything else is refused. */
    private static int groupPrefix(int[] cps, int i, String original) {
        if (i < cps.length && cps[i] == ':') {
            return i;
        }
        int j = i;
        if (j < cps.length && cps[j] == 'P') {
            j++;
        }
        if (j < cps.length && cps[j] == '<' && j + 1 < cps.length && cps[j + 1] != '=' && cps[j + 1] != '!') {
            while (j < cps.length && cps[j] != '>') {
                j++;
            }
            return j;
        }
        throw problem(original, "the group construct (?" + (i < cps.length ? new String(Character.toChars(cps[i])) : "")
                + " (lookarounds, flags) is not supported");
    }

    private static int hex(int[] cps, int from, int count, String original) {
        if (from + count > cps.length) {
            throw problem(original, "a hex escape is cut short");
        }
        try {
            return Integer.parseInt(new String(cps, from, count), 16);
        } catch (NumberFormatException e) {
            throw problem(original, "a hex escape has non-hex digits");
        }
    }

    /** A code point that stands for itself: letters and digits as they are, anything else escaped. */
    private static void literal(int c, StringBuilder out) {
        if (!Character.isLetterOrDigit(c)) {
            out.append('\\');
        }
        out.appendCodePoint(c);
    }

    private static IllegalArgumentException problem(String regex, String why) {
        return new IllegalArgumentException("the regex " + regex + " cannot be compiled: " + why);
    }
}
