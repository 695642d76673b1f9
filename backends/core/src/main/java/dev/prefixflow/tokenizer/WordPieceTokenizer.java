package dev.prefixflow.tokenizer;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * BERT's WordPiece ({@code tokenizer.ggml.model = "bert"}), as llama.cpp's WPM tokenizer runs it:
 * text is lower-cased and stripped of accents (each code point replaced by the first code point of
 * its NFD form, combining marks dropped), each unless the file turns it off
 * ({@code tokenizer.ggml.normalizer.*}), control characters are dropped, and it is split at
 * whitespace, with every punctuation character, ASCII symbol and CJK ideograph a word of its own.
 * Each word, with a {@code ▁} in front (llama.cpp's files write word-initial pieces so, and
 * continuations without BERT's {@code ##}), is covered by the longest tokens from the left; a word
 * that cannot be covered is one unknown token. With BOS, the text is wrapped in [CLS] ... [SEP]. Special
 * tokens are cut out of the text first, as in the other tokenizers ({@link SpecialTokens}).
 */
public final class WordPieceTokenizer extends ByteTableTokenizer {

    private static final String WORD_START = "\u2581";

    private final Map<String, Integer> tokenIds;
    private final int maxTokenLength;
    private final int sepId;
    private final boolean lowercase;
    private final boolean stripAccents;
    private final SpecialTokens specialTokens;

    public WordPieceTokenizer(Vocabulary vocabulary, int sepId, boolean lowercase, boolean stripAccents) {
        super(vocabulary);
        this.sepId = checkId(sepId);
        this.lowercase = lowercase;
        this.stripAccents = stripAccents;
        int size = vocabulary.size();
        tokenIds = new HashMap<>(size * 2);
        int longest = 1;
        for (int id = 0; id < size; id++) {
            String token = vocabulary.tokens()[id];
            // As llama.cpp's lookup by text: every token, a later one winning a tie.
            tokenIds.put(token, id);
            longest = Math.max(longest, token.length());
            int type = vocabulary.tokenTypes()[id];
            text[id] = type == Vocabulary.NORMAL_TYPE || type == Vocabulary.USER_DEFINED_TYPE
                    ? token.replace(WORD_START, " ").getBytes(StandardCharsets.UTF_8) : new byte[0];
        }
        maxTokenLength = longest;
        specialTokens = new SpecialTokens(vocabulary);
    }

    @Override
    public int[] encode(String text, boolean addBos, boolean parseSpecial) {
        TokenSink out = new TokenSink(text.length() / 3 + 2);
        boolean special = addBos && vocabulary.addBos();
        if (special) {
            out.add(vocabulary.bosId());
        }
        for (SpecialTokens.Fragment f : specialTokens.split(text, parseSpecial)) {
            if (!f.isText()) {
                out.add(f.id());
                continue;
            }
            for (String word : words(text.substring(f.start(), f.end()))) {
                out.addAll(pieces(WORD_START + word));
            }
        }
        if (special) {
            out.add(sepId);
        }
        return out.toArray();
    }

    /** Longest tokens from the left; the unknown token when some position has none. */
    private int[] pieces(String word) {
        TokenSink ids = new TokenSink(4);
        for (int i = 0; i < word.length(); ) {
            int end = Math.min(word.length(), i + maxTokenLength);
            Integer id = null;
            for (; end > i && (id = tokenIds.get(word.substring(i, end))) == null; end--) {
                // shorter
            }
            if (id == null) {
                return new int[] {vocabulary.unkId()};
            }
            ids.add(id);
            i = end;
        }
        return ids.toArray();
    }

    private List<String> words(String text) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        for (int i = 0; i < text.length(); ) {
            int original = text.codePointAt(i);
            i += Character.charCount(original);
            int c = stripAccents && original >= 0xC0
                    ? Normalizer.normalize(Character.toString(original), Normalizer.Form.NFD).codePointAt(0) : original;
            if (PreTokenScanner.isSpace(c)) {
                flush(word, words);
                continue;
            }
            int type = Character.getType(c);
            if (c == 0 || c == 0xFFFD || type == Character.CONTROL || type == Character.FORMAT
                    || type == Character.PRIVATE_USE || type == Character.SURROGATE) {
                continue;
            }
            if (stripAccents && (type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK
                    || type == Character.COMBINING_SPACING_MARK)) {
                continue;
            }
            int lower = lowercase ? Character.toLowerCase(c) : c;
            if (isPunctuation(type) || (c < 0x7F && isSymbol(type)) || isCjk(c)) {
                flush(word, words);
                words.add(Character.toString(lower));
            } else {
                word.appendCodePoint(lower);
            }
        }
        flush(word, words);
        return words;
    }

    private static void flush(StringBuilder word, List<String> words) {
        if (word.length() > 0) {
            words.add(word.toString());
            word.setLength(0);
        }
    }

    private static boolean isPunctuation(int type) {
        return type == Character.CONNECTOR_PUNCTUATION || type == Character.DASH_PUNCTUATION
                || type == Character.START_PUNCTUATION || type == Character.END_PUNCTUATION
                || type == Character.INITIAL_QUOTE_PUNCTUATION || type == Character.FINAL_QUOTE_PUNCTUATION
                || type == Character.OTHER_PUNCTUATION;
    }

    private static boolean isSymbol(int type) {
        return type == Character.MATH_SYMBOL || type == Character.CURRENCY_SYMBOL
                || type == Character.MODIFIER_SYMBOL || type == Character.OTHER_SYMBOL;
    }

    /** The CJK ideograph blocks of BERT's tokenizer (with its 0x2B920 for 0x2B820, as llama.cpp copies it). */
    private static boolean isCjk(int c) {
        return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF)
                || (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B920 && c <= 0x2CEAF)
                || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
    }
}
