package dev.prefixflow.tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The split of text into pre-tokens before byte-level BPE, chosen by {@code tokenizer.ggml.pre}.
 * The patterns are the published ones, with {@code \s} spelled as Unicode White_Space (as Python's
 * and Rust's regex engines read it; Java's own {@code \s} is ASCII-only). Java's {@code \p{L}} and
 * {@code \p{N}} are the Unicode categories and match whole code points, emoji included; {@code (?i)}
 * stays ASCII-only, as the contractions it applies to are.
 */
enum PreTokenizer {

    GPT2("gpt-2", "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+"),
    LLAMA3("llama-bpe", "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"),
    QWEN2("qwen2", "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+");

    private final String ggufName;
    private final Pattern pattern;

    PreTokenizer(String ggufName, String regex) {
        this.ggufName = ggufName;
        this.pattern = Pattern.compile(regex
                .replace("\\s", "\\p{IsWhite_Space}")
                .replace("\\S", "[^\\p{IsWhite_Space}]"));
    }

    /** The pre-tokenizer named {@code name} in GGUF metadata; absent means GPT-2's, as in llama.cpp. */
    static PreTokenizer forName(String name) {
        if (name == null) {
            return GPT2;
        }
        for (PreTokenizer p : values()) {
            if (p.ggufName.equals(name)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unsupported pre-tokenizer '" + name + "' (tokenizer.ggml.pre; supported: "
                + Arrays.stream(values()).map(p -> p.ggufName).collect(Collectors.joining(", ")) + ")");
    }

    /** The pre-tokens of {@code text}, in order; together they are the text. */
    List<String> split(String text) {
        List<String> pieces = new ArrayList<>(text.length() / 4 + 1);
        Matcher m = pattern.matcher(text);
        while (m.find()) {
            pieces.add(m.group());
        }
        return pieces;
    }
}
