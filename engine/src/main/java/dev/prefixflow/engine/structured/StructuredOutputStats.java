package dev.prefixflow.engine.structured;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Where structured outputs spend time: compiling constraints and building the vocabulary trie (on a
 * compile thread, while other requests step), building masks (on a worker, mostly while the forward
 * pass runs) and applying them (on the step).
 */
public final class StructuredOutputStats {
    private final AtomicLong compileNanos = new AtomicLong();
    private final AtomicLong compiled = new AtomicLong();
    private final AtomicLong buildNanos = new AtomicLong();
    private final AtomicLong applyNanos = new AtomicLong();
    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong masksBuilt = new AtomicLong();
    private final AtomicLong trieNanos = new AtomicLong();

    void masked(long nanos) {
        applyNanos.addAndGet(nanos);
        applied.incrementAndGet();
    }

    void compiled(long nanos) {
        compileNanos.addAndGet(nanos);
        compiled.incrementAndGet();
    }

    void trieBuilt(long nanos) {
        trieNanos.addAndGet(nanos);
    }

    void built(long nanos) {
        buildNanos.addAndGet(nanos);
        masksBuilt.incrementAndGet();
    }

    /**
     * Time spent compiling constraints, once per distinct constraint per engine (on a compile thread;
     * a DFA another engine compiled is reused, and the vocabulary trie is included when this engine
     * built it).
     */
    public long compileNanos() {
        return compileNanos.get();
    }

    public long compiled() {
        return compiled.get();
    }

    /** Time this engine spent building the vocabulary trie (0 when another engine on the same model had). */
    public long trieNanos() {
        return trieNanos.get();
    }

    public long buildNanos() {
        return buildNanos.get();
    }

    public long applyNanos() {
        return applyNanos.get();
    }

    /** Masks applied: one per constrained token drawn. */
    public long applied() {
        return applied.get();
    }

    /** Masks built: one per distinct (constraint, automaton state). */
    public long masksBuilt() {
        return masksBuilt.get();
    }
}
