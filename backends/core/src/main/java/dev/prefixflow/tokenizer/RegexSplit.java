package dev.prefixflow.tokenizer;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One of llama.cpp's split regexes that it runs with std::regex rather than a hand-written matcher,
 * run the way its {@code unicode_regex_split} runs them, so that the pieces match its own: the
 * matches and the text between them become pieces. A regex with Unicode categories ({@code \p{L}}
 * ...) runs on a "collapsed" text where every non-ASCII code point stands for its category (and
 * non-ASCII whitespace for {@code \v}), the categories in the regex becoming that stand-in plus their
 * ASCII members; one without runs on the text itself, non-ASCII whitespace again read as {@code \v}.
 * Both engines take the first alternative that matches, and {@code \s} is ASCII whitespace in both.
 */
final class RegexSplit {

    private static final char VERTICAL_TAB = '\u000B';
    private static final char OTHER = '\u00D0';
    /** Category, its stand-in in collapsed text, and its ASCII members as a class body. */
    private static final List<String[]> CATEGORIES = List.of(
            new String[] {"N", "\u00D1", "0-9"},
            new String[] {"L", "\u00D2", "A-Za-z"},
            new String[] {"P", "\u00D3", "!-#%-*,-/:-;?-@\\[-\\]_\\{\\}"},
            new String[] {"M", "\u00D4", ""},
            new String[] {"S", "\u00D5", "\\$\\+<->\\^`\\|~"});

    private final Pattern pattern;
    private final boolean collapsed;

    private RegexSplit(Pattern pattern, boolean collapsed) {
        this.pattern = pattern;
        this.collapsed = collapsed;
    }

    /** The split of {@code regex}, written as in llama.cpp's source. */
    static RegexSplit of(String regex) {
        boolean categories = regex.contains("\\p{");
        if (!categories) {
            // ECMAScript's $ is the end of the input only; Java's would also match before a final newline.
            return new RegexSplit(Pattern.compile(regex.endsWith("$") ? regex.substring(0, regex.length() - 1) + "\\z" : regex), false);
        }
        StringBuilder java = new StringBuilder();
        boolean inClass = false;
        for (int i = 0; i < regex.length(); i++) {
            char c = regex.charAt(i);
            boolean escaped = i > 0 && regex.charAt(i - 1) == '\\';
            if (c == '[' && !escaped) {
                inClass = true;
            } else if (c == ']' && inClass && !escaped) {
                inClass = false;
            } else if (regex.startsWith("\\p{", i)) {
                int close = regex.indexOf('}', i);
                String[] category = category(regex.substring(i + 3, close));
                java.append(inClass ? "" : "[").append(category[1]).append(category[2]).append(inClass ? "" : "]");
                i = close;
                continue;
            }
            java.append(c);
        }
        return new RegexSplit(Pattern.compile(java.toString()), true);
    }

    private static String[] category(String name) {
        // \p{Lu}, \p{Ll} ... all collapse to letters, as in llama.cpp.
        String major = name.substring(0, 1);
        for (String[] category : CATEGORIES) {
            if (category[0].equals(major)) {
                return category;
            }
        }
        throw new IllegalArgumentException("no collapsed form for \\p{" + name + "}");
    }

    /** Appends the pieces of {@code piece} to {@code out}, in order; together they are the piece. */
    void split(String piece, List<String> out) {
        int[] charAt = collapsed ? new int[piece.length() + 1] : null;
        Matcher m = pattern.matcher(collapsed ? collapse(piece, charAt) : spacesAsVerticalTab(piece));
        int done = 0;
        while (m.find()) {
            int start = collapsed ? charAt[m.start()] : m.start();
            int end = collapsed ? charAt[m.end()] : m.end();
            if (start > done) {
                out.add(piece.substring(done, start));
            }
            out.add(piece.substring(start, end));
            done = end;
        }
        if (done < piece.length()) {
            out.add(piece.substring(done));
        }
    }

    /** One char per code point; {@code charAt[i]} is where the i-th code point starts in {@code text}. */
    private static String collapse(String text, int[] charAt) {
        StringBuilder out = new StringBuilder(text.length());
        int i = 0;
        while (i < text.length()) {
            int c = text.codePointAt(i);
            charAt[out.length()] = i;
            out.append(c < 128 ? (char) c : PreTokenScanner.isSpace(c) ? VERTICAL_TAB : standIn(c));
            i += Character.charCount(c);
        }
        charAt[out.length()] = i;
        return out.toString();
    }

    private static char standIn(int c) {
        return switch (Character.getType(c)) {
            case Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER -> '\u00D1';
            case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
                    Character.MODIFIER_LETTER, Character.OTHER_LETTER -> '\u00D2';
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                    Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                    Character.OTHER_PUNCTUATION -> '\u00D3';
            case Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK -> '\u00D4';
            case Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL, Character.MODIFIER_SYMBOL,
                    Character.OTHER_SYMBOL -> '\u00D5';
            default -> OTHER;
        };
    }

    private static String spacesAsVerticalTab(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 128 && PreTokenScanner.isSpace(c)) {
                if (out == null) {
                    out = new StringBuilder(text);
                }
                out.setCharAt(i, VERTICAL_TAB);
            }
        }
        return out == null ? text : out.toString();
    }
}
