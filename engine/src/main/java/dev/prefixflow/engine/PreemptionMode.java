package dev.prefixflow.engine;

/**
 * What a preempted sequence's computed KV becomes (vLLM's {@code preemption_mode}).
 *
 * <p>{@link #RECOMPUTE}: its blocks are freed and, at re-admission, whatever the prefix cache no
 * longer holds is computed again. {@link #SWAP}: its full computed blocks stay cached in the pool
 * and, should the pool evict one before the re-admission, its KV is copied out (to the tier and to
 * the sequence) and swapped back in instead of recomputed. The partial last block is always
 * recomputed: it has no hash to be found by. SWAP needs an evicted-block tier and prefix caching
 * (blocks are found by hash); without them it acts as RECOMPUTE.
 */
public enum PreemptionMode {
    RECOMPUTE,
    SWAP
}
