package dev.prefixflow.engine.structured;

import dev.prefixflow.tokenizer.Tokenizer;
import java.util.Arrays;
import java.util.Map;
import java.util.WeakHashMap;
import org.apache.lucene.util.automaton.ByteRunAutomaton;

/**
 * The vocabulary's tokens as a byte trie, stored flat in depth-first order so that one pass over
 * the arrays, skipping the subtree under every byte the automaton refuses, finds every token that
 * may follow a state. Tokens that add no bytes (control tokens, EOS) are not in it. One trie per
 * tokenizer in the JVM: engines on one loaded model share it.
 */
final class VocabularyTrie {
    private static final Map<Tokenizer, VocabularyTrie> TRIES = new WeakHashMap<>();

    private final byte[][] tokenBytes;
    private final int vocabularySize;
    /**
     * Per node: its depth (0 for a first byte) shifted left 8 bits, or'ed with its byte; one array
     * rather than two, since a mask's walk reads both of every node it visits.
     */
    private final int[] depthAndByte;
    /** Per node: the node after its subtree. */
    private final int[] subtreeEnd;
    /**
     * The tokens spelled by the path to node i are {@link #sortedTokens}[tokenStart[i],
     * tokenStart[i + 1]): tokens are sorted by their bytes, nodes are in depth-first order, so each
     * node's tokens follow those of the nodes before it.
     */
    private final int[] tokenStart;
    private final int[] sortedTokens;
    private final int maxDepth;

    /** The trie of {@code tokenizer}'s vocabulary, built on first use (the time goes to {@code stats}). */
    static VocabularyTrie of(Tokenizer tokenizer, StructuredOutputStats stats) {
        synchronized (TRIES) {
            VocabularyTrie trie = TRIES.get(tokenizer);
            if (trie == null) {
                long start = System.nanoTime();
                trie = new VocabularyTrie(tokenizer);
                TRIES.put(tokenizer, trie);
                stats.trieBuilt(System.nanoTime() - start);
            }
            return trie;
        }
    }

    VocabularyTrie(Tokenizer tokenizer) {
        vocabularySize = tokenizer.vocabularySize();
        tokenBytes = new byte[vocabularySize][];
        int count = 0;
        for (int id = 0; id < vocabularySize; id++) {
            tokenBytes[id] = tokenizer.tokenBytes(id);
            count += tokenBytes[id].length > 0 ? 1 : 0;
        }
        int[] order = new int[count];
        int k = 0;
        int bytes = 0;
        for (int id = 0; id < vocabularySize; id++) {
            if (tokenBytes[id].length > 0) {
                order[k++] = id;
                bytes += tokenBytes[id].length;
            }
        }
        sortByBytes(order, new int[count], 0, count, 0);
        sortedTokens = order;
        int[] db = new int[bytes];
        int[] end = new int[bytes];
        int[] start = new int[bytes + 1];
        int depthMax = 0;
        for (byte[] b : tokenBytes) {
            depthMax = Math.max(depthMax, b.length);
        }
        int[] open = new int[depthMax];
        byte[] previous = new byte[0];
        int nodes = 0;
        for (int i = 0; i < sortedTokens.length; i++) {
            byte[] b = tokenBytes[sortedTokens[i]];
            int common = Arrays.mismatch(previous, b);
            if (common < 0) {
                // Same bytes as the previous token: one more token at the same (last) node.
                start[nodes] = i + 1;
                continue;
            }
            for (int d = common; d < previous.length; d++) {
                end[open[d]] = nodes;
            }
            for (int d = common; d < b.length; d++) {
                db[nodes] = d << 8 | (b[d] & 0xff);
                open[d] = nodes;
                // A node on the way to this token spells none: its range is empty.
                start[nodes] = i;
                nodes++;
            }
            start[nodes] = i + 1;
            previous = b;
        }
        for (int d = 0; d < previous.length; d++) {
            end[open[d]] = nodes;
        }
        depthAndByte = Arrays.copyOf(db, nodes);
        subtreeEnd = Arrays.copyOf(end, nodes);
        tokenStart = Arrays.copyOf(start, nodes + 1);
        maxDepth = depthMax;
    }

    /**
     * Sorts {@code ids[from, to)}, which share their first {@code depth} bytes and are in id order,
     * by their bytes (unsigned, a prefix first), ties in id order: a stable radix sort on the byte at
     * {@code depth}, then each bucket on the next byte. A comparison sort of 150k byte arrays took a
     * second; this reads each byte about once.
     */
    private void sortByBytes(int[] ids, int[] scratch, int from, int to, int depth) {
        if (to - from < 32) {
            // Small buckets: an insertion sort costs less than 258 counters.
            for (int i = from + 1; i < to; i++) {
                int id = ids[i];
                int j = i - 1;
                while (j >= from && compare(ids[j], id, depth) > 0) {
                    ids[j + 1] = ids[j];
                    j--;
                }
                ids[j + 1] = id;
            }
            return;
        }
        // Bucket 0: tokens that end at this depth (a prefix sorts first); bucket b + 1: byte b.
        int[] start = new int[258];
        for (int i = from; i < to; i++) {
            start[bucket(ids[i], depth) + 1]++;
        }
        for (int b = 0; b < 257; b++) {
            start[b + 1] += start[b];
        }
        int[] fill = Arrays.copyOf(start, 257);
        for (int i = from; i < to; i++) {
            scratch[from + fill[bucket(ids[i], depth)]++] = ids[i];
        }
        System.arraycopy(scratch, from, ids, from, to - from);
        for (int b = 1; b < 257; b++) {
            sortByBytes(ids, scratch, from + start[b], from + start[b + 1], depth + 1);
        }
    }

    private int compare(int a, int b, int depth) {
        byte[] x = tokenBytes[a];
        byte[] y = tokenBytes[b];
        int c = Arrays.compareUnsigned(x, depth, x.length, y, depth, y.length);
        return c != 0 ? c : Integer.compare(a, b);
    }

    private int bucket(int id, int depth) {
        byte[] b = tokenBytes[id];
        return depth < b.length ? (b[depth] & 0xff) + 1 : 0;
    }

    int vocabularySize() {
        return vocabularySize;
    }

    byte[] bytes(int token) {
        return tokenBytes[token];
    }

    /** Sets the bit of every token whose bytes, read from {@code state}, keep the automaton alive. */
    void fill(ByteRunAutomaton dfa, int state, long[] bitmask) {
        int[] stateAt = new int[maxDepth + 1];
        stateAt[0] = state;
        int n = depthAndByte.length;
        int i = 0;
        while (i < n) {
            int node = depthAndByte[i];
            int d = node >>> 8;
            int next = dfa.step(stateAt[d], node & 0xff);
            if (next < 0) {
                i = subtreeEnd[i];
                continue;
            }
            stateAt[d + 1] = next;
            for (int t = tokenStart[i], to = tokenStart[i + 1]; t < to; t++) {
                int id = sortedTokens[t];
                bitmask[id >>> 6] |= 1L << id;
            }
            i++;
        }
    }
}
