package dev.prefixflow.tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The split of text into pre-tokens before byte-level BPE, chosen by {@code tokenizer.ggml.pre}:
 * the published split regexes, matched by {@link PreTokenScanner}.
 */
enum PreTokenizer {

    /** {@code 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+}. */
    GPT2("gpt-2", "phi-2") {
        @Override
        int end(PreTokenScanner scanner, int start) {
            return scanner.gpt2End(start);
        }
    },
    /** Llama 3: {@code (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+}. */
    LLAMA3("llama-bpe", "llama3", "llama-v3", "falcon3") {
        @Override
        int end(PreTokenScanner scanner, int start) {
            return scanner.llama3End(start, 3);
        }

        @Override
        boolean wholeTokensFirst() {
            return true;
        }
    },
    /** Qwen2: Llama 3's rules with single digits ({@code \p{N}} for {@code \p{N}{1,3}}). */
    QWEN2("qwen2", "deepseek-r1-qwen") {
        @Override
        int end(PreTokenScanner scanner, int start) {
            return scanner.llama3End(start, 1);
        }
    };

    /** The names converters write for this split, as llama.cpp groups them; the first is its own. */
    private final List<String> ggufNames;

    PreTokenizer(String... ggufNames) {
        this.ggufNames = List.of(ggufNames);
    }

    /** Where the pre-token that starts at {@code start} ends. */
    abstract int end(PreTokenScanner scanner, int start);

    /**
     * Whether a pre-token that is itself a token is taken whole, before any merging: Llama 3's
     * tiktoken encoder does this, and llama.cpp follows it (its ignore_merges) for this split only.
     */
    boolean wholeTokensFirst() {
        return false;
    }

    /** The pre-tokenizer named {@code name} in GGUF metadata; absent means GPT-2's, as in llama.cpp. */
    static PreTokenizer forName(String name) {
        if (name == null) {
            return GPT2;
        }
        for (PreTokenizer p : values()) {
            if (p.ggufNames.contains(name)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unsupported pre-tokenizer '" + name + "' (tokenizer.ggml.pre; supported: "
                + Arrays.stream(values()).flatMap(p -> p.ggufNames.stream()).collect(Collectors.joining(", ")) + ")");
    }

    /** The pre-tokens of {@code text}, in order; together they are the text. */
    List<String> split(String text) {
        List<String> pieces = new ArrayList<>(text.length() / 4 + 1);
        PreTokenScanner scanner = new PreTokenScanner(text);
        for (int start = 0; start < text.length(); ) {
            int end = end(scanner, start);
            pieces.add(text.substring(start, end));
            start = end;
        }
        return pieces;
    }
}
