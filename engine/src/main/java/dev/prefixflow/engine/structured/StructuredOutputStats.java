package dev.prefixflow.engine.structured;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Where structured outputs spend time: compiling constraints (at admission), building masks (off the
 * step, mostly) and applying them (on it).
 */
public final class StructuredOutputStats {
    private final AtomicLong compileNanos = new AtomicLong();
    private final AtomicLong compiled = new AtomicLong();
    private final AtomicLong buildNanos = new AtomicLong();
    private final AtomicLong applyNanos = new AtomicLong();
    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong masksBuilt = new AtomicLong();

    void masked(long nanos) {
        applyNanos.addAndGet(nanos);
        applied.incrementAndGet();
    }

    void compiled(long nanos) {
        compileNanos.addAndGet(nanos);
        compiled.incrementAndGet();
    }

    void built(long nanos) {
        buildNanos.addAndGet(nanos);
        masksBuilt.incrementAndGet();
    }

    /** Time spent compiling constraints (on the engine thread, once per distinct constraint). */
    public long compileNanos() {
        return compileNanos.get();
    }

    public long compiled() {
        return compiled.get();
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
