package dev.prefixflow.engine.structured;

import java.util.concurrent.atomic.AtomicLong;

/** Where structured outputs spend time: building masks (off the step, mostly) and applying them (on it). */
public final class StructuredOutputStats {
    private final AtomicLong buildNanos = new AtomicLong();
    private final AtomicLong applyNanos = new AtomicLong();
    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong masksBuilt = new AtomicLong();

    void masked(long nanos) {
        applyNanos.addAndGet(nanos);
        applied.incrementAndGet();
    }

    void built(long nanos) {
        buildNanos.addAndGet(nanos);
        masksBuilt.incrementAndGet();
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
