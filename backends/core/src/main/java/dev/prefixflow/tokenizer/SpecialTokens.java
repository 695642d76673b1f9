package dev.prefixflow.tokenizer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The tokens that llama.cpp's tokenizer_st_partition (like Hugging Face tokenizers' added tokens)
 * cuts out of the text before pre-tokenizing, longest token first, each splitting the text left
 * around it: user-defined tokens (type 4: added tokens such as MPT's runs of spaces or DeepSeek's
 * byte characters) always, and control and unknown tokens ({@code <|im_start|>}, {@code <s>}) only
 * when special tokens are parsed.
 */
final class SpecialTokens {

    /** A part of the text: raw text {@code [start, end)} to tokenize, or a matched token ({@code id >= 0}). */
    record Fragment(int start, int end, int id) {
        boolean isText() {
            return id < 0;
        }
    }

    /** Longest first; equal lengths by id. */
    private final List<String> texts = new ArrayList<>();
    private final Map<String, Integer> ids = new HashMap<>();
    /** Control and unknown tokens: matched only when special tokens are parsed. */
    private final Map<String, Boolean> onlyWhenParsed = new HashMap<>();
    /** Each token's index in {@link #texts}. */
    private final Map<String, Integer> order = new HashMap<>();
    /** The tokens by their first char, to find quickly which of them occur in a text. */
    private final Map<Character, List<String>> byFirstChar = new HashMap<>();

    SpecialTokens(Vocabulary vocabulary) {
        for (int id = 0; id < vocabulary.size(); id++) {
            String token = vocabulary.tokens()[id];
            int type = vocabulary.tokenTypes()[id];
            boolean control = type == Vocabulary.CONTROL_TYPE || type == Vocabulary.UNKNOWN_TYPE;
            if ((control || type == Vocabulary.USER_DEFINED_TYPE) && !token.isEmpty() && !ids.containsKey(token)) {
                ids.put(token, id);
                texts.add(token);
                if (control) {
                    onlyWhenParsed.put(token, true);
                }
            }
        }
        texts.sort(Comparator.comparingInt(String::length).reversed());
        for (int i = 0; i < texts.size(); i++) {
            order.put(texts.get(i), i);
        }
        for (String token : texts) {
            byFirstChar.computeIfAbsent(token.charAt(0), c -> new ArrayList<>()).add(token);
        }
    }

    /**
     * The fragments of {@code text}, in order; text fragments are never empty.
     *
     * @param parseSpecial whether control and unknown tokens are matched too
     */
    List<Fragment> split(String text, boolean parseSpecial) {
        List<Fragment> fragments = new ArrayList<>();
        if (!text.isEmpty()) {
            fragments.add(new Fragment(0, text.length(), -1));
        }
        for (String token : occurring(text, parseSpecial)) {
            List<Fragment> next = new ArrayList<>(fragments.size() + 2);
            for (Fragment f : fragments) {
                if (!f.isText()) {
                    next.add(f);
                    continue;
                }
                int from = f.start();
                for (int at = text.indexOf(token, from); at >= 0 && at + token.length() <= f.end();
                        at = text.indexOf(token, from)) {
                    if (at > from) {
                        next.add(new Fragment(from, at, -1));
                    }
                    next.add(new Fragment(at, at + token.length(), ids.get(token)));
                    from = at + token.length();
                }
                if (from < f.end()) {
                    next.add(new Fragment(from, f.end(), -1));
                }
            }
            fragments = next;
        }
        return fragments;
    }

    /** The tokens that occur somewhere in {@code text}, in matching order; usually none. */
    private List<String> occurring(String text, boolean parseSpecial) {
        List<String> found = new ArrayList<>();
        if (texts.isEmpty()) {
            return found;
        }
        boolean[] seen = new boolean[texts.size()];
        for (int i = 0; i < text.length(); i++) {
            List<String> candidates = byFirstChar.get(text.charAt(i));
            if (candidates != null) {
                for (String token : candidates) {
                    if (text.startsWith(token, i) && (parseSpecial || !onlyWhenParsed.containsKey(token))) {
                        seen[order.get(token)] = true;
                    }
                }
            }
        }
        for (int i = 0; i < seen.length; i++) {
            if (seen[i]) {
                found.add(texts.get(i));
            }
        }
        return found;
    }
}
