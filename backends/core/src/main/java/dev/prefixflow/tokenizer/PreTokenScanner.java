package dev.prefixflow.tokenizer;

/**
 * Hand-written matchers for the pre-tokenizer regexes (several times faster than java.util.regex
 * on them). Each returns where the pre-token starting at {@code start} ends, taking the first
 * alternative that matches, as the regex would; positions are char indices, but every test is on
 * whole code points. Character classes: {@code \p{L}}, {@code \p{N}} and {@code \s} as Unicode
 * White_Space, exactly as java.util.regex defines them (the tests compare against it).
 */
final class PreTokenScanner {

    private static final int LETTER = 1;
    private static final int NUMBER = 2;
    private static final int SPACE = 4;
    /** The code point "after the end of the text": no class, never a letter, digit or space. */
    private static final int END = -1;
    private static final int SEPARATORS = (1 << Character.SPACE_SEPARATOR) | (1 << Character.LINE_SEPARATOR)
            | (1 << Character.PARAGRAPH_SEPARATOR);
    private static final int LETTERS = (1 << Character.UPPERCASE_LETTER) | (1 << Character.LOWERCASE_LETTER)
            | (1 << Character.TITLECASE_LETTER) | (1 << Character.MODIFIER_LETTER) | (1 << Character.OTHER_LETTER);
    private static final int NUMBERS = (1 << Character.DECIMAL_DIGIT_NUMBER) | (1 << Character.LETTER_NUMBER)
            | (1 << Character.OTHER_NUMBER);
    private static final byte[] ASCII = new byte[128];

    static {
        for (int c = 0; c < 128; c++) {
            ASCII[c] = (byte) classify(c);
        }
    }

    private final String text;

    PreTokenScanner(String text) {
        this.text = text;
    }

    /**
     * GPT-2: {@code 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+}.
     */
    int gpt2End(int start) {
        int contraction = contractionEnd(start, false);
        if (contraction > 0) {
            return contraction;
        }
        int body = codePoint(start) == ' ' ? start + 1 : start;
        int bodyClass = classOf(codePoint(body));
        if (bodyClass == LETTER || bodyClass == NUMBER) {
            return skip(body, bodyClass);
        }
        if (isOther(codePoint(body), false)) {
            return skipOther(body, false);
        }
        return spaceEnd(start);
    }

    /**
     * Llama 3 ({@code maxDigits} 3), Qwen2 (1) and, with {@code marks}, Qwen3.5:
     * {@code (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,maxDigits}
     * | ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+}, where Qwen3.5 reads {@code [\p{L}\p{M}]} for
     * {@code \p{L}} in the letter run and also leaves {@code \p{M}} out of the punctuation run.
     */
    int llama3End(int start, int maxDigits, boolean marks) {
        int contraction = contractionEnd(start, true);
        if (contraction > 0) {
            return contraction;
        }
        int c = codePoint(start);
        int cClass = classOf(c);
        int next = after(start);
        if (isWord(c, marks) || (cClass != NUMBER && !isNewline(c) && isWord(codePoint(next), marks))) {
            int end = next;
            while (isWord(codePoint(end), marks)) {
                end = after(end);
            }
            return end;
        }
        if (cClass == NUMBER) {
            int end = next;
            for (int digits = 1; digits < maxDigits && classOf(codePoint(end)) == NUMBER; digits++) {
                end = after(end);
            }
            return end;
        }
        int body = c == ' ' ? next : start;
        if (isOther(codePoint(body), marks)) {
            int end = skipOther(body, marks);
            while (isNewline(codePoint(end))) {
                end++;
            }
            return end;
        }
        // \s*[\r\n]+ : the whitespace run up to its last newline, when it has one.
        int lastNewlineEnd = -1;
        for (int i = start; classOf(codePoint(i)) == SPACE; i = after(i)) {
            if (isNewline(codePoint(i))) {
                lastNewlineEnd = i + 1;
            }
        }
        return lastNewlineEnd > 0 ? lastNewlineEnd : spaceEnd(start);
    }

    /** Gemma 4: {@code [^\n]+|[\n]+}, runs of newlines and of everything else. */
    int newlineRunEnd(int start) {
        boolean newline = text.charAt(start) == '\n';
        int end = start + 1;
        while (end < text.length() && (text.charAt(end) == '\n') == newline) {
            end++;
        }
        return end;
    }

    /** {@code \s+(?!\S)|\s+} at a whitespace run: all of it, less its last character when text follows. */
    private int spaceEnd(int start) {
        int last = start;
        int end = after(start);
        while (classOf(codePoint(end)) == SPACE) {
            last = end;
            end = after(end);
        }
        return last > start && codePoint(end) != END ? last : end;
    }

    /** The end of {@code 's|'t|'re|'ve|'m|'ll|'d} at {@code start}, or -1. */
    private int contractionEnd(int start, boolean ignoreCase) {
        if (codePoint(start) != '\'') {
            return -1;
        }
        int c1 = lower(codePoint(start + 1), ignoreCase);
        if (c1 == 's' || c1 == 't' || c1 == 'm' || c1 == 'd') {
            return start + 2;
        }
        int c2 = lower(codePoint(start + 2), ignoreCase);
        boolean twoLetters = (c1 == 'r' && c2 == 'e') || (c1 == 'v' && c2 == 'e') || (c1 == 'l' && c2 == 'l');
        return twoLetters ? start + 3 : -1;
    }

    /** Past the run of code points of class {@code cls} starting at {@code from}. */
    private int skip(int from, int cls) {
        int i = from;
        while (classOf(codePoint(i)) == cls) {
            i = after(i);
        }
        return i;
    }

    /** Past the run of {@code [^\s\p{L}\p{N}]} (with {@code marks}, also not {@code \p{M}}) starting at {@code from}. */
    private int skipOther(int from, boolean marks) {
        int i = from;
        while (i < text.length() && isOther(codePoint(i), marks)) {
            i = after(i);
        }
        return i;
    }

    /** {@code \p{L}}, or with {@code marks} {@code [\p{L}\p{M}]}. */
    private static boolean isWord(int c, boolean marks) {
        return classOf(c) == LETTER || (marks && isMark(c));
    }

    /** {@code [^\s\p{L}\p{N}]} (with {@code marks}, also not {@code \p{M}}); never the end of the text. */
    private static boolean isOther(int c, boolean marks) {
        return c != END && classOf(c) == 0 && !(marks && isMark(c));
    }

    /** Unicode White_Space, as llama.cpp's tables also define it. */
    static boolean isSpace(int c) {
        return classOf(c) == SPACE;
    }

    private static boolean isMark(int c) {
        if (c < 128) {
            return false;
        }
        int type = Character.getType(c);
        return type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK
                || type == Character.COMBINING_SPACING_MARK;
    }

    private int codePoint(int i) {
        return i < text.length() ? text.codePointAt(i) : END;
    }

    private int after(int i) {
        return i < text.length() ? i + Character.charCount(text.codePointAt(i)) : i;
    }

    private static int lower(int c, boolean ignoreCase) {
        // (?i) without UNICODE_CASE folds ASCII only.
        return ignoreCase && c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
    }

    private static boolean isNewline(int c) {
        return c == '\r' || c == '\n';
    }

    private static int classOf(int c) {
        if (c < 0) {
            return 0;
        }
        return c < 128 ? ASCII[c] : classify(c);
    }

    private static int classify(int c) {
        int type = Character.getType(c);
        if ((LETTERS >> type & 1) != 0) {
            return LETTER;
        }
        if ((NUMBERS >> type & 1) != 0) {
            return NUMBER;
        }
        // java.util.regex's White_Space: the separators, \t..\r and NEL.
        boolean space = (SEPARATORS >> type & 1) != 0 || (c >= 0x9 && c <= 0xD) || c == 0x85;
        return space ? SPACE : 0;
    }
}
