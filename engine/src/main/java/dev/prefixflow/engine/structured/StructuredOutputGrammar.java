package dev.prefixflow.engine.structured;

import java.util.Arrays;

/**
 * One request's place in its constraint (vLLM's StructuredOutputGrammar): it masks the logits before
 * each draw and follows the drawn token. The state depends only on the request's own tokens, so
 * masking keeps the seed-and-position rule of sampling.
 */
public final class StructuredOutputGrammar {
    private final CompiledGrammar grammar;
    private final StructuredOutputStats stats;
    private final int eosId;
    private int state = CompiledGrammar.initialState();

    StructuredOutputGrammar(CompiledGrammar grammar, StructuredOutputStats stats, int eosId) {
        this.grammar = grammar;
        this.stats = stats;
        this.eosId = eosId;
        grammar.prefetch(state);
    }

    /** Sets the logits of tokens the constraint does not allow here to -infinity. */
    public void applyBitmask(float[] logits) {
        long start = System.nanoTime();
        long[] mask = grammar.bitmask(state);
        int words = (logits.length + 63) >>> 6;
        for (int w = 0; w < words; w++) {
            long bits = w < mask.length ? mask[w] : 0L;
            if (bits == -1L) {
                continue;
            }
            int base = w << 6;
            int end = Math.min(base + 64, logits.length);
            if (bits == 0L) {
                // Most words of a mask allow nothing.
                Arrays.fill(logits, base, end, Float.NEGATIVE_INFINITY);
                continue;
            }
            for (int i = base; i < end; i++) {
                if ((bits & (1L << i)) == 0) {
                    logits[i] = Float.NEGATIVE_INFINITY;
                }
            }
        }
        stats.masked(System.nanoTime() - start);
    }

    /** Follows the drawn token and starts building the next state's mask. */
    public void acceptToken(int token) {
        if (token == eosId) {
            return;
        }
        int next = grammar.advance(state, token);
        if (next < 0) {
            throw new IllegalStateException("token " + token + " leaves the constrained language: the mask allowed it");
        }
        state = next;
        grammar.prefetch(state);
    }

    /** Whether the text so far is a complete answer. */
    public boolean isComplete() {
        return grammar.isComplete(state);
    }
}
