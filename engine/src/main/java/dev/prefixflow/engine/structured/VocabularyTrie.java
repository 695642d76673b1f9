package dev.prefixflow.engine.structured;

import dev.prefixflow.tokenizer.Tokenizer;
import java.util.Arrays;
import java.util.Comparator;
import org.apache.lucene.util.automaton.ByteRunAutomaton;

/**
 * The vocabulary's tokens as a byte trie, stored flat in depth-first order so that one pass over
 * the arrays, skipping the subtree under every byte the automaton refuses, finds every token that
 * may follow a state. Tokens that add no bytes (control tokens, EOS) are not in it.
 */
final class VocabularyTrie {
    private final byte[][] tokenBytes;
    private final int vocabularySize;
    /** Per node: its byte, its depth (0 for a first byte), the node after its subtree. */
    private final byte[] nodeByte;
    private final int[] nodeDepth;
    private final int[] subtreeEnd;
    /** Per node: the tokens spelled by the path to it, as a range of {@link #sortedTokens}. */
    private final int[] tokensFrom;
    private final int[] tokensTo;
    private final int[] sortedTokens;
    private final int maxDepth;

    VocabularyTrie(Tokenizer tokenizer) {
        vocabularySize = tokenizer.vocabularySize();
        tokenBytes = new byte[vocabularySize][];
        int count = 0;
        for (int id = 0; id < vocabularySize; id++) {
            tokenBytes[id] = tokenizer.tokenBytes(id);
            count += tokenBytes[id].length > 0 ? 1 : 0;
        }
        Integer[] order = new Integer[count];
        int k = 0;
        int bytes = 0;
        for (int id = 0; id < vocabularySize; id++) {
            if (tokenBytes[id].length > 0) {
                order[k++] = id;
                bytes += tokenBytes[id].length;
            }
        }
        Arrays.sort(order, Comparator.comparing((Integer id) -> tokenBytes[id], Arrays::compareUnsigned)
                .thenComparing(id -> id));
        sortedTokens = Arrays.stream(order).mapToInt(Integer::intValue).toArray();
        byte[] nb = new byte[bytes];
        int[] nd = new int[bytes];
        int[] end = new int[bytes];
        int[] from = new int[bytes];
        int[] to = new int[bytes];
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
                // Same bytes as the previous token: one more token at the same node.
                to[open[b.length - 1]] = i + 1;
                continue;
            }
            for (int d = common; d < previous.length; d++) {
                end[open[d]] = nodes;
            }
            for (int d = common; d < b.length; d++) {
                nb[nodes] = b[d];
                nd[nodes] = d;
                open[d] = nodes;
                nodes++;
            }
            from[nodes - 1] = i;
            to[nodes - 1] = i + 1;
            previous = b;
        }
        for (int d = 0; d < previous.length; d++) {
            end[open[d]] = nodes;
        }
        nodeByte = Arrays.copyOf(nb, nodes);
        nodeDepth = Arrays.copyOf(nd, nodes);
        subtreeEnd = Arrays.copyOf(end, nodes);
        tokensFrom = Arrays.copyOf(from, nodes);
        tokensTo = Arrays.copyOf(to, nodes);
        maxDepth = depthMax;
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
        int n = nodeByte.length;
        int i = 0;
        while (i < n) {
            int d = nodeDepth[i];
            int next = dfa.step(stateAt[d], nodeByte[i] & 0xff);
            if (next < 0) {
                i = subtreeEnd[i];
                continue;
            }
            stateAt[d + 1] = next;
            for (int t = tokensFrom[i]; t < tokensTo[i]; t++) {
                int id = sortedTokens[t];
                bitmask[id >>> 6] |= 1L << id;
            }
            i++;
        }
    }
}
