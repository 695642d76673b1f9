package dev.prefixflow.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * SentencePiece BPE as llama.cpp's {@code llm_tokenizer_spm} does it: split into code points, then
 * repeatedly merge the adjacent pair whose concatenation is the best-scoring token (ties: leftmost).
 * A heap of candidate pairs over a linked list of live symbols keeps this O(n log n); symbols that
 * are no token at the end fall back to one byte token per UTF-8 byte.
 *
 * <p>When no token has a space mark right after another character, no merge can join the text
 * before a word's space mark to the text from it on, so each word is merged on its own, with the
 * same result, and a word seen before is looked up: prose repeats its words.
 */
final class SpmMerger {

    private record Pair(int left, int right, float score, int length) {}

    private static final Comparator<Pair> BEST_FIRST = (a, b) -> a.score != b.score
            ? Float.compare(b.score, a.score)
            : Integer.compare(a.left, b.left);

    private static final char SPACE_MARK = '\u2581';

    private final Map<String, Integer> tokenIds;
    private final float[] scores;
    private final int[] byteTokens;
    private final int unkId;
    private final boolean wordsAreIndependent;
    private final PieceCache words = new PieceCache(this::merge);

    /**
     * @param tokenIds the tokens that may be matched from text
     * @param byteTokens the token of each byte value, or -1 where the vocabulary has none
     */
    SpmMerger(Map<String, Integer> tokenIds, float[] scores, int[] byteTokens, int unkId) {
        this.tokenIds = tokenIds;
        this.scores = scores;
        this.byteTokens = byteTokens;
        this.unkId = unkId;
        this.wordsAreIndependent = tokenIds.keySet().stream().noneMatch(SpmMerger::hasInnerWordStart);
    }

    /** Whether a space mark follows another character in {@code token}: a merge across words. */
    private static boolean hasInnerWordStart(String token) {
        for (int i = 1; i < token.length(); i++) {
            if (token.charAt(i) == SPACE_MARK && token.charAt(i - 1) != SPACE_MARK) {
                return true;
            }
        }
        return false;
    }

    /** Tokenizes already normalized text. */
    int[] tokenize(String text) {
        if (!wordsAreIndependent) {
            return merge(text);
        }
        int[] out = new int[text.length() / 3 + 1];
        int size = 0;
        for (int from = 0; from < text.length(); ) {
            int to = from + 1;
            while (to < text.length() && !(text.charAt(to) == SPACE_MARK && text.charAt(to - 1) != SPACE_MARK)) {
                to++;
            }
            int[] ids = words.idsOf(text.substring(from, to));
            out = ensure(out, size + ids.length);
            System.arraycopy(ids, 0, out, size, ids.length);
            size += ids.length;
            from = to;
        }
        return Arrays.copyOf(out, size);
    }

    private int[] merge(String text) {
        int n = text.codePointCount(0, text.length());
        // Symbol i covers text[start[i], end[i]); a merged-away symbol has start -1.
        int[] start = new int[n];
        int[] end = new int[n];
        int[] prev = new int[n];
        int[] next = new int[n];
        for (int i = 0, offset = 0; i < n; i++) {
            start[i] = offset;
            offset += Character.charCount(text.codePointAt(offset));
            end[i] = offset;
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }

        PriorityQueue<Pair> queue = new PriorityQueue<>(Math.max(1, n), BEST_FIRST);
        for (int i = 1; i < n; i++) {
            offer(queue, text, start, end, i - 1, i);
        }
        while (!queue.isEmpty()) {
            Pair pair = queue.poll();
            int left = pair.left();
            int right = pair.right();
            // Skip pairs made stale by a merge after they were queued.
            if (start[left] < 0 || start[right] < 0 || next[left] != right
                    || end[right] - start[left] != pair.length()) {
                continue;
            }
            end[left] = end[right];
            next[left] = next[right];
            if (next[right] >= 0) {
                prev[next[right]] = left;
            }
            start[right] = -1;
            offer(queue, text, start, end, prev[left], left);
            offer(queue, text, start, end, left, next[left]);
        }

        int[] out = new int[n];
        int size = 0;
        for (int i = n == 0 ? -1 : 0; i >= 0; i = next[i]) {
            String symbol = text.substring(start[i], end[i]);
            Integer id = tokenIds.get(symbol);
            if (id != null) {
                out = ensure(out, size + 1);
                out[size++] = id;
                continue;
            }
            byte[] bytes = symbol.getBytes(StandardCharsets.UTF_8);
            out = ensure(out, size + bytes.length);
            for (byte b : bytes) {
                int byteToken = byteTokens[b & 0xff];
                out[size++] = byteToken >= 0 ? byteToken : unkId;
            }
        }
        return Arrays.copyOf(out, size);
    }

    private void offer(PriorityQueue<Pair> queue, String text, int[] start, int[] end, int left, int right) {
        if (left < 0 || right < 0) {
            return;
        }
        Integer id = tokenIds.get(text.substring(start[left], end[right]));
        if (id != null) {
            queue.add(new Pair(left, right, scores[id], end[right] - start[left]));
        }
    }

    private static int[] ensure(int[] array, int size) {
        return size <= array.length ? array : Arrays.copyOf(array, Math.max(size, array.length * 2));
    }
}
