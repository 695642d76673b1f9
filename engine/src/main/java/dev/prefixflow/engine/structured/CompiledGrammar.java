package dev.prefixflow.engine.structured;

import java.util.concurrent.CompletableFuture;
import org.apache.lucene.util.automaton.ByteRunAutomaton;

/**
 * One constraint compiled for one vocabulary: a minimal deterministic automaton over UTF-8 bytes (so
 * tokens that end inside a character are judged byte by byte) and, per automaton state reached, the
 * bitmask of the tokens allowed there. A mask is built on first need, on a worker, and kept in the
 * engine's {@link MaskCache} for every request with this constraint; {@link #prefetch} starts it as
 * soon as the state is known, so that it is built while the next forward pass runs.
 */
final class CompiledGrammar {
    private final ByteRunAutomaton dfa;
    private final VocabularyTrie trie;
    private final int eosId;
    private final MaskCache masks;
    private final StructuredOutputStats stats;

    CompiledGrammar(ByteRunAutomaton dfa, VocabularyTrie trie, int eosId, MaskCache masks, StructuredOutputStats stats) {
        this.dfa = dfa;
        this.trie = trie;
        this.eosId = eosId;
        this.masks = masks;
        this.stats = stats;
    }

    static int initialState() {
        return 0;
    }

    /** The state after {@code token}'s bytes, or -1 when they leave the language. */
    int advance(int state, int token) {
        byte[] bytes = trie.bytes(token);
        for (int i = 0; i < bytes.length && state >= 0; i++) {
            state = dfa.step(state, bytes[i] & 0xff);
        }
        return state;
    }

    boolean isComplete(int state) {
        return dfa.isAccept(state);
    }

    /** Tokens allowed in {@code state}, one bit per token id; EOS exactly where the text is complete. */
    long[] bitmask(int state) {
        return future(state).join();
    }

    void prefetch(int state) {
        future(state);
    }

    private CompletableFuture<long[]> future(int state) {
        return masks.get(this, state, () -> build(state));
    }

    private long[] build(int state) {
        long start = System.nanoTime();
        long[] bits = new long[(trie.vocabularySize() + 63) >>> 6];
        trie.fill(dfa, state, bits);
        if (dfa.isAccept(state)) {
            bits[eosId >>> 6] |= 1L << eosId;
        }
        stats.built(System.nanoTime() - start);
        return bits;
    }
}
