package dev.prefixflow.tokenizer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The tokens that llama.cpp's tokenizer_st_partition (like Hugging Face tokenizers' added tokens)
 * cuts out of the text before pre-tokenizing, longest token first, each splitting the text left
 * around it: user-defined tokens (type 4: added tokens such as MPT's runs of spaces or DeepSeek's
 * byte characters) always, and control and unknown tokens ({@code <|im_start|>}, {@code <s>}) only
 * when special tokens are parsed. In a vocabulary that asks for it (Phi-3's), the whitespace after a
 * matched token is dropped, as llama.cpp does for tokens with its RSTRIP attribute.
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
    /** In a vocabulary that strips, the special tokens that still keep the whitespace (llama.cpp). */
    private static final Set<String> KEEP_WHITESPACE_AFTER = Set.of("<unk>", "<s>", "<|endoftext|>");
    /** Ids of the tokens that eat the whitespace after them. */
    private final Set<Integer> stripAfter = new HashSet<>();

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
        if (vocabulary.stripAfterSpecial()) {
            ids.forEach((token, id) -> {
                if (!KEEP_WHITESPACE_AFTER.contains(token)) {
                    stripAfter.add(id);
                }
            });
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
        return stripAfter.isEmpty() ? fragments : stripWhitespaceAfterTokens(text, fragments);
    }

    private List<Fragment> stripWhitespaceAfterTokens(String text, List<Fragment> fragments) {
        List<Fragment> out = new ArrayList<>(fragments.size());
        boolean strip = false;
        for (Fragment f : fragments) {
            if (f.isText() && strip) {
                int start = f.start();
                while (start < f.end() && isCSpace(text.charAt(start))) {
                    start++;
                }
                if (start < f.end()) {
                    out.add(new Fragment(start, f.end(), -1));
                }
            } else {
                out.add(f);
            }
            strip = !f.isText() && stripAfter.contains(f.id());
        }
        return out;
    }

    /** C's isspace, which llama.cpp's strip uses. */
    private static boolean isCSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
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
