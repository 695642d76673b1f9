package dev.prefixflow.tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The split of text into pre-tokens before byte-level BPE, chosen by {@code tokenizer.ggml.pre}:
 * llama.cpp's split regexes for each name, applied one after the other (each splits every piece
 * the ones before it made), the common ones matched by {@link PreTokenScanner}, the rest by
 * {@link RegexSplit}. The names are the ones llama.cpp's loader accepts for the same split and the
 * same encoding.
 */
enum PreTokenizer {

    /** {@code 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+}. */
    GPT2(Steps.GPT2, "gpt-2", "phi-2", "mpt", "olmo", "jais", "trillion", "granite-docling", "jina-es", "jina-de",
            "jina-v2-es", "jina-v2-de", "gigachat", "a.x-4.0", "mellum", "modern-bert", "exaone4"),
    /**
     * Llama 3: {@code (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*
     * |\s*[\r\n]+|\s+(?!\S)|\s+}; a pre-token that is itself a token is taken whole, and BOS is added
     * unless the file says otherwise.
     */
    LLAMA3(Steps.LLAMA3, "llama-bpe", "llama3", "llama-v3", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2",
            "jina-v5-nano") {
        @Override
        boolean wholeTokensFirst() {
            return true;
        }

        @Override
        boolean addsBosByDefault() {
            return true;
        }
    },
    /** DBRX and Smaug: Llama 3's split, merged as usual. */
    DBRX(Steps.LLAMA3, "dbrx", "smaug-bpe"),
    /** Qwen2: Llama 3's rules with single digits ({@code \p{N}} for {@code \p{N}{1,3}}). */
    QWEN2(Steps.QWEN2, "qwen2", "deepseek-r1-qwen", "kormo", "f2llmv2", "megrez", "stablelm2", "hunyuan",
            "solar-open", "grok-2"),
    /** Qwen3.5: Qwen2's rules with combining marks ({@code \p{M}}) read as letters. */
    QWEN35(Steps.QWEN35, "qwen35"),
    /** StarCoder, Refact, Command-R ...: every digit alone, then GPT-2's split. */
    STARCODER(new Step[] {regex("\\p{N}"), Steps.GPT2}, "starcoder", "refact", "command-r", "smollm", "codeshell",
            "exaone", "minerva-7b", "mellum2"),
    /** Falcon: punctuation runs, GPT-2's split, then runs of three ASCII digits. */
    FALCON(new Step[] {regex("[\\p{P}\\$\\+<=>\\^~\\|`]+"), Steps.GPT2, regex("[0-9][0-9][0-9]")}, "falcon"),
    /** DeepSeek LLM: newlines, Latin/Greek/Cyrillic... letter runs, ASCII and full-width punctuation, CJK, numbers. */
    DEEPSEEK_LLM(new Step[] {
        regex("[\r\n]"),
        regex("\\s?[A-Za-zµÀ-ÖØ-öø-ƺƼ-ƿǄ-ʓʕ-ʯͰ-ͳͶͷͻ-ͽͿΆΈ-ΊΌΎ-ΡΣ-ϵϷ-ҁҊ-ԯԱ-ՖႠ-ჅᎠ-Ᏽᏸ-ᏽᲐ-ᲺᲽ-Ჿᴀ-ᴫᵫ-ᵷᵹ-ᶚḀ-ἕἘ-Ἕἠ-ὅὈ-Ὅὐ-ὗὙὛὝὟ-ώᾀ-ᾴᾶ-ᾼιῂ-ῄῆ-ῌῐ-ΐῖ-Ίῠ-Ῥῲ-ῴῶ-ῼℂℇℊ-ℓℕℙ-ℝℤΩℨK-ℭℯ-ℴℹℼ-ℿⅅ-ⅉⅎↃↄⰀ-ⱻⱾ-ⳤⳫ-ⳮⳲⳳꙀ-ꙭꚀ-ꚛꜢ-ꝯꝱ-ꞇꞋ-ꞎꭰ-ꮿﬀ-ﬆﬓ-ﬗＡ-Ｚａ-ｚ𐐀-𐑏𐒰-𐓓𐓘-𐓻𐲀-𐲲𐳀-𐳲𑢠-𑣟𞤀-𞥃]+"),
        regex("\\s?[!-/:-~！-／：-～‘-‟　-。]+"),
        regex("\\s+$"),
        regex("[一-龥ࠀ-一가-퟿]+"),
        regex("\\p{N}+")}, "deepseek-llm"),
    /** DeepSeek Coder: newlines, letter runs, punctuation runs, CJK, every digit alone. */
    DEEPSEEK_CODER(new Step[] {
        regex("[\r\n]"), regex("\\s?\\p{L}+"), regex("\\s?\\p{P}+"), regex("[一-龥ࠀ-一가-퟿]+"), regex("\\p{N}")},
            "deepseek-coder"),
    /** What llama.cpp uses when a file names no pre-tokenizer: punctuation runs, GPT-2's split, numbers. */
    DEFAULT(new Step[] {
        regex("[\\p{P}\\$\\+<=>\\^~\\|]+"), Steps.GPT2, regex("\\p{N}+"), regex("[0-9][0-9][0-9]")}, "default");

    /** One split of every piece so far into smaller pieces, in order. */
    @FunctionalInterface
    interface Step {
        void split(String piece, List<String> out);
    }

    /** The hand-written splits (their regexes are on the constants that use them). */
    private static final class Steps {
        static final Step GPT2 = scanner((s, start) -> s.gpt2End(start));
        static final Step LLAMA3 = scanner((s, start) -> s.llama3End(start, 3, false));
        static final Step QWEN2 = scanner((s, start) -> s.llama3End(start, 1, false));
        static final Step QWEN35 = scanner((s, start) -> s.llama3End(start, 1, true));

        private interface End {
            int of(PreTokenScanner scanner, int start);
        }

        private static Step scanner(End end) {
            return (piece, out) -> {
                PreTokenScanner scanner = new PreTokenScanner(piece);
                for (int start = 0; start < piece.length(); ) {
                    int to = end.of(scanner, start);
                    out.add(piece.substring(start, to));
                    start = to;
                }
            };
        }
    }

    private static Step regex(String llamaRegex) {
        return RegexSplit.of(llamaRegex)::split;
    }

    private final Step[] steps;
    /** The names converters write for this split, as llama.cpp groups them; the first is its own. */
    private final List<String> ggufNames;

    PreTokenizer(Step step, String... ggufNames) {
        this(new Step[] {step}, ggufNames);
    }

    PreTokenizer(Step[] steps, String... ggufNames) {
        this.steps = steps;
        this.ggufNames = List.of(ggufNames);
    }

    /**
     * Whether a pre-token that is itself a token is taken whole, before any merging: Llama 3's
     * tiktoken encoder does this, and llama.cpp follows it (its ignore_merges) for this split only.
     */
    boolean wholeTokensFirst() {
        return false;
    }

    /** Whether encoding adds BOS when the file has no {@code tokenizer.ggml.add_bos_token}, as in llama.cpp. */
    boolean addsBosByDefault() {
        return false;
    }

    /** The pre-tokenizer named {@code name} in GGUF metadata; absent means llama.cpp's default split. */
    static PreTokenizer forName(String name) {
        if (name == null) {
            return DEFAULT;
        }
        for (PreTokenizer p : values()) {
            if (p.ggufNames.contains(name)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unsupported pre-tokenizer '" + name + "' (tokenizer.ggml.pre; supported: "
                + names().collect(Collectors.joining(", ")) + ")");
    }

    /** Every accepted name, in declaration order. */
    static java.util.stream.Stream<String> names() {
        return Arrays.stream(values()).flatMap(p -> p.ggufNames.stream());
    }

    /** The pre-tokens of {@code text}, in order; together they are the text. */
    List<String> split(String text) {
        List<String> pieces = new ArrayList<>(text.length() / 4 + 1);
        steps[0].split(text, pieces);
        for (int i = 1; i < steps.length; i++) {
            List<String> finer = new ArrayList<>(pieces.size() * 2);
            for (String piece : pieces) {
                steps[i].split(piece, finer);
            }
            pieces = finer;
        }
        return pieces;
    }
}
