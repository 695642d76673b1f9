package dev.prefixflow.tokenizer;

import java.util.Arrays;

/**
 * Byte-level BPE within one pre-token: start from one token per byte, then repeatedly apply the
 * lowest-ranked merge among adjacent pairs, leftmost first among equals (which is what GPT-2's
 * "merge every occurrence of the best pair" loop amounts to). A heap of candidate pairs over a
 * linked list of live symbols keeps long pre-tokens O(n log n).
 */
final class BpeMerger {

    private final MergeRanks merges;
    private final int[] byteTokens;

    /** @param byteTokens the single-byte token of each byte value, or a value below -1 where there is none */
    BpeMerger(MergeRanks merges, int[] byteTokens) {
        this.merges = merges;
        this.byteTokens = byteTokens;
    }

    /**
     * The token ids of the UTF-8 bytes of {@code piece}. A byte without a token (vocabularies leave
     * out bytes that UTF-8 never uses) is dropped, as llama.cpp drops it.
     */
    int[] merge(String piece) {
        int[] merged = merge(byteTokensOf(piece));
        int kept = 0;
        for (int id : merged) {
            if (id >= 0) {
                merged[kept++] = id;
            }
        }
        return kept == merged.length ? merged : Arrays.copyOf(merged, kept);
    }

    /**
     * Merges {@code symbols} in place and returns the result: token ids, and values below -1 for
     * symbols that are no token, which never merge and come back unchanged.
     */
    int[] merge(int[] symbols) {
        int[] ids = symbols;
        int n = ids.length;
        int[] prev = new int[n];
        int[] next = new int[n];
        LongMinHeap queue = new LongMinHeap(n);
        for (int i = 0; i < n; i++) {
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
            if (i > 0) {
                offer(queue, ids, i - 1, i);
            }
        }
        int live = n;
        while (!queue.isEmpty()) {
            long entry = queue.poll();
            int rank = (int) (entry >>> 32);
            int left = (int) entry;
            int right = next[left];
            // Stale when either symbol changed since it was queued: ranks are unique per pair.
            if (ids[left] < 0 || right < 0 || ids[right] < 0 || merges.rank(ids[left], ids[right]) != rank) {
                continue;
            }
            ids[left] = merges.merged(rank);
            ids[right] = -1;
            next[left] = next[right];
            if (next[right] >= 0) {
                prev[next[right]] = left;
            }
            live--;
            offer(queue, ids, prev[left], left);
            offer(queue, ids, left, next[left]);
        }
        int[] out = new int[live];
        for (int i = 0, k = 0; i >= 0 && k < live; i = next[i]) {
            out[k++] = ids[i];
        }
        return out;
    }

    private void offer(LongMinHeap queue, int[] ids, int left, int right) {
        if (left < 0 || right < 0 || ids[left] < 0 || ids[right] < 0) {
            return;
        }
        int rank = merges.rank(ids[left], ids[right]);
        if (rank >= 0) {
            queue.add(((long) rank << 32) | left);
        }
    }

    /** UTF-8 encoding straight to byte tokens; a lone surrogate (no UTF-8 form) counts as U+FFFD. */
    private int[] byteTokensOf(String piece) {
        int[] ids = new int[piece.length() * 3];
        int n = 0;
        for (int i = 0; i < piece.length(); ) {
            int c = piece.codePointAt(i);
            i += Character.charCount(c);
            if (Character.getType(c) == Character.SURROGATE) {
                c = 0xFFFD;
            }
            if (c < 0x80) {
                ids[n++] = byteTokens[c];
            } else if (c < 0x800) {
                ids[n++] = byteTokens[0xC0 | c >> 6];
                ids[n++] = byteTokens[0x80 | c & 0x3F];
            } else if (c < 0x10000) {
                ids[n++] = byteTokens[0xE0 | c >> 12];
                ids[n++] = byteTokens[0x80 | c >> 6 & 0x3F];
                ids[n++] = byteTokens[0x80 | c & 0x3F];
            } else {
                ids[n++] = byteTokens[0xF0 | c >> 18];
                ids[n++] = byteTokens[0x80 | c >> 12 & 0x3F];
                ids[n++] = byteTokens[0x80 | c >> 6 & 0x3F];
                ids[n++] = byteTokens[0x80 | c & 0x3F];
            }
        }
        return Arrays.copyOf(ids, n);
    }
}
