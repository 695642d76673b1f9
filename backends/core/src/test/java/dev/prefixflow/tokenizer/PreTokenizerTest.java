package dev.prefixflow.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Hand-checked splits of the published pre-tokenizer rules. */
class PreTokenizerTest {

    private static final PreTokenizer GPT2 = PreTokenizer.GPT2;
    private static final PreTokenizer LLAMA3 = PreTokenizer.LLAMA3;
    private static final PreTokenizer QWEN2 = PreTokenizer.QWEN2;
    private static final PreTokenizer QWEN35 = PreTokenizer.QWEN35;

    @Test
    void gpt2ContractionsAreCaseSensitive() {
        assertEquals(List.of("DON", "'", "T", " we", "'re"), GPT2.split("DON'T we're"));
    }

    @Test
    void llama3AndQwen2ContractionsIgnoreCase() {
        for (PreTokenizer p : List.of(LLAMA3, QWEN2)) {
            assertEquals(List.of("DON", "'T", " I", "'LL", " we", "'re"), p.split("DON'T I'LL we're"), p.name());
        }
    }

    @Test
    void digitsGroupByTokenizer() {
        assertEquals(List.of("1234567", " 89"), GPT2.split("1234567 89"));
        assertEquals(List.of("123", "456", "7", " ", "89"), LLAMA3.split("1234567 89"));
        assertEquals(List.of("1", "2", "3", " ", "8", "9"), QWEN2.split("123 89"));
    }

    @Test
    void numbersAreUnicodeNumbersNotOnlyAscii() {
        // Arabic-Indic digits (Nd), a vulgar fraction (No) and a Roman numeral (Nl).
        assertEquals(List.of("٣", "٤", "½", "Ⅻ"), QWEN2.split("٣٤½Ⅻ"));
        assertEquals(List.of("٣٤½", "Ⅻ"), LLAMA3.split("٣٤½Ⅻ"));
    }

    @Test
    void spacesBeforeAWordStayWithIt() {
        assertEquals(List.of("a", " ", " b", "   ", " c"), GPT2.split("a  b    c"));
        assertEquals(List.of("a", " ", " b", "   ", " c"), LLAMA3.split("a  b    c"));
    }

    @Test
    void newlines() {
        assertEquals(List.of("x", "\n", "\n", "y"), GPT2.split("x\n\ny"));
        assertEquals(List.of("x", "\n\n", "y"), LLAMA3.split("x\n\ny"));
        assertEquals(List.of("Verse", " one", ".\r\n", "Verse"), QWEN2.split("Verse one.\r\nVerse"));
        assertEquals(List.of("a", " \n\n", " b"), QWEN2.split("a \n\n b"));
        // A letter run never takes a newline as its one leading character.
        assertEquals(List.of("\n", "b"), LLAMA3.split("\nb"));
    }

    @Test
    void whitespaceIsUnicodeWhitespace() {
        // U+00A0 is White_Space, so it stands alone before a word instead of joining it as punctuation.
        assertEquals(List.of("\u00a0", "nbsp"), GPT2.split("\u00a0nbsp"));
        assertEquals(List.of("a", "\u3000", "b"), GPT2.split("a\u3000b"));
    }

    @Test
    void cjkIsLetters() {
        assertEquals(List.of("道", " 中文字符"), GPT2.split("道 中文字符"));
        assertEquals(List.of("日本語のテキスト"), QWEN2.split("日本語のテキスト"));
    }

    @Test
    void emojiAreWholeCodePoints() {
        assertEquals(List.of("👍🏽", "ok"), QWEN2.split("👍🏽ok"));
        // One non-letter code point may lead a letter run: here a whole surrogate pair.
        assertEquals(List.of("🌿x"), LLAMA3.split("🌿x"));
        assertEquals(List.of("🌿", "x"), GPT2.split("🌿x"));
    }

    /**
     * The scanner against java.util.regex running the published patterns, on random text from
     * characters at the class boundaries: every kind of letter, number and White_Space, newlines,
     * contraction pieces in both cases, emoji (surrogate pairs), lone surrogates, BOM, NEL, ZWJ.
     */
    @Test
    void matchesThePublishedRegexesOnRandomText() {
        Map<PreTokenizer, Pattern> published = Map.of(
                GPT2, pattern("'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+"),
                LLAMA3, pattern("(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}"
                        + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"),
                QWEN2, pattern("(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}"
                        + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"),
                QWEN35, pattern("(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?[\\p{L}\\p{M}]+|\\p{N}"
                        + "| ?[^\\s\\p{L}\\p{M}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"));
        String[] pieces = {"a", "Z", "é", "道", "ǅ", "ʰ", "0", "7", "٣", "½", "Ⅻ", " ", "\u2003", "  ", "\t", "\n", "\r",
            "\r\n", "\u000b", "\u000c", "\u0085", "\u00a0", "\u1680", "\u2028", "\u3000", "'", "'s", "'S", "'t", "'re",
            "'RE", "'ve", "'m", "'ll", "'Ll", "'d", "'x", ".", ",", "!", "<|", "🌿", "🏽", "\ufeff", "\u200d", "\uD800",
            "\uDC00", "\u0000", "word", " the", "123", "\u0301", "\u0903", "\u20DD", "e\u0301"};
        SplittableRandom random = new SplittableRandom(11);
        for (int n = 0; n < 20_000; n++) {
            StringBuilder text = new StringBuilder();
            for (int i = random.nextInt(24); i > 0; i--) {
                text.append(pieces[random.nextInt(pieces.length)]);
            }
            for (Map.Entry<PreTokenizer, Pattern> e : published.entrySet()) {
                List<String> expected = new ArrayList<>();
                Matcher m = e.getValue().matcher(text);
                while (m.find()) {
                    expected.add(m.group());
                }
                assertEquals(expected, e.getKey().split(text.toString()), e.getKey() + " on '" + text + "'");
            }
        }
    }

    /** A published pattern with {@code \s} as Unicode White_Space, as Python's and Rust's engines read it. */
    private static Pattern pattern(String regex) {
        return Pattern.compile(regex.replace("\\s", "\\p{IsWhite_Space}").replace("\\S", "[^\\p{IsWhite_Space}]"));
    }

    @Test
    void qwen35ReadsCombiningMarksAsLetters() {
        // U+0301 (Mn) and U+0903 (Mc) join the letter run; for Qwen2 they are punctuation.
        assertEquals(List.of("cafe\u0301", " ok"), QWEN35.split("cafe\u0301 ok"));
        assertEquals(List.of("cafe", "\u0301", " ok"), QWEN2.split("cafe\u0301 ok"));
        assertEquals(List.of("\u0915\u0903"), QWEN35.split("\u0915\u0903"));
    }

    @Test
    void starcoderSplitsEveryDigitThenLikeGpt2() {
        assertEquals(List.of("x", "1", "2", "3", " ", "4", " y", "'s"), PreTokenizer.STARCODER.split("x123 4 y's"));
    }

    @Test
    void falconSplitsPunctuationRunsThenGpt2ThenDigitTriples() {
        // "[\p{P}$+<=>^~|`]+" first: "..." and "<=" stand alone; then GPT-2 (" 12345", " 12"); then
        // three ASCII digits at a time ("123" out of " 12345"; " 12" has no three).
        assertEquals(List.of("a", "...", "b", " ", "<=", " ", "123", "45", " 12", " x"),
                PreTokenizer.FALCON.split("a...b <= 12345 12 x"));
    }

    @Test
    void deepseekCoderSplitsNewlinesLettersPunctuationCjkAndDigits() {
        // "=" is a symbol, not punctuation, so " = " is left between the letter and digit pieces.
        assertEquals(List.of("int", " x", " = ", "4", "2", ";", "\n", "\n", "中文", "!"),
                PreTokenizer.DEEPSEEK_CODER.split("int x = 42;\n\n中文!"));
    }

    @Test
    void deepseekLlmKeepsNumberRunsAndTrailingSpace() {
        assertEquals(List.of("Hi", " ", "1234", "\n", " ok", "  "), PreTokenizer.DEEPSEEK_LLM.split("Hi 1234\n ok  "));
    }

    @Test
    void defaultSplitIsLlamaCppsForFilesWithoutAName() {
        assertSame(PreTokenizer.DEFAULT, PreTokenizer.forName(null));
        assertEquals(List.of("a", "...", "b", " ", "123", "4"), PreTokenizer.DEFAULT.split("a...b 1234"));
    }

    @Test
    void namesFromGguf() {
        assertSame(GPT2, PreTokenizer.forName("gpt-2"));
        assertSame(LLAMA3, PreTokenizer.forName("llama-bpe"));
        assertSame(QWEN2, PreTokenizer.forName("qwen2"));
        // Every name llama.cpp's loader accepts for one of these splits, grouped as it groups them.
        Map<PreTokenizer, List<String>> names = Map.ofEntries(
                Map.entry(GPT2, List.of("gpt-2", "phi-2", "mpt", "olmo", "jais", "trillion", "granite-docling", "jina-es",
                        "jina-de", "jina-v2-es", "jina-v2-de", "gigachat", "a.x-4.0", "mellum", "modern-bert", "exaone4")),
                Map.entry(LLAMA3, List.of("llama-bpe", "llama3", "llama-v3", "falcon3", "falcon-h1", "pixtral", "midm-2.0",
                        "lfm2", "jina-v5-nano")),
                Map.entry(PreTokenizer.DBRX, List.of("dbrx", "smaug-bpe")),
                Map.entry(QWEN2, List.of("qwen2", "deepseek-r1-qwen", "kormo", "f2llmv2", "megrez", "stablelm2", "hunyuan",
                        "solar-open", "grok-2")),
                Map.entry(QWEN35, List.of("qwen35")),
                Map.entry(PreTokenizer.STARCODER, List.of("starcoder", "refact", "command-r", "smollm", "codeshell", "exaone",
                        "minerva-7b", "mellum2")),
                Map.entry(PreTokenizer.FALCON, List.of("falcon")),
                Map.entry(PreTokenizer.DEEPSEEK_LLM, List.of("deepseek-llm")),
                Map.entry(PreTokenizer.DEEPSEEK_CODER, List.of("deepseek-coder")),
                Map.entry(PreTokenizer.DEFAULT, List.of("default")));
        assertEquals(PreTokenizer.values().length, names.size());
        for (Map.Entry<PreTokenizer, List<String>> e : names.entrySet()) {
            for (String name : e.getValue()) {
                assertSame(e.getKey(), PreTokenizer.forName(name), name);
            }
        }
        assertEquals(names.values().stream().mapToInt(List::size).sum(), PreTokenizer.names().count());
        // Only Llama 3's split takes whole tokens first and adds BOS by default, as in llama.cpp.
        for (PreTokenizer p : PreTokenizer.values()) {
            assertEquals(p == LLAMA3, p.wholeTokensFirst(), p.name());
            assertEquals(p == LLAMA3, p.addsBosByDefault(), p.name());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PreTokenizer.forName("chameleon"));
        assertEquals("unsupported pre-tokenizer 'chameleon' (tokenizer.ggml.pre; supported: "
                + PreTokenizer.names().collect(java.util.stream.Collectors.joining(", ")) + ")", e.getMessage());
        assertTrue(e.getMessage().contains("falcon, deepseek-llm, deepseek-coder, default"), e.getMessage());
    }
}
