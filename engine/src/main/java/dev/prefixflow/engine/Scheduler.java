package dev.prefixflow.engine;

import dev.prefixflow.engine.block.BlockHash;
import dev.prefixflow.engine.block.BlockHashes;
import dev.prefixflow.engine.block.BlockManager;
import dev.prefixflow.engine.block.BlockSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Decides what each engine step computes, as vLLM's scheduler with chunked prefill does: a FCFS
 * waiting queue and a running list (oldest first), at most {@code maxNumSeqs} running and at most
 * {@code maxNumBatchedTokens} tokens per step. Decodes go first, then the running prefills' next
 * chunks, then new admissions, each within what is left of the budget, so a long prompt never
 * stalls the decodes.
 *
 * <p><b>Admission.</b> The prefix cache is looked up before the budget check and only the uncached
 * tokens count against it (vLLM PR 10128). A request whose next uncached block is being computed
 * right now by a running prefill waits a step rather than computing the same block again, so
 * requests that share a prefix and arrive together hit the cache. Admission stops at the first
 * request that does not fit, to keep FCFS order.
 *
 * <p><b>Preemption.</b> When a decode (or, on a windowed model, a prefill chunk) finds the pool
 * full, the newest running sequence gives up its blocks and goes back to the front of the waiting
 * queue with its generated tokens; the sequence asking may be that newest one itself. In {@link
 * PreemptionMode#SWAP} (with a tier and prefix caching) it keeps its full blocks through {@link
 * BlockSwapper#swapOut} and swaps in at re-admission those the pool evicted meanwhile; otherwise it
 * recomputes them.
 *
 * <p><b>Sliding windows.</b> On a model whose every layer has a window, each step first releases
 * the running sequences' blocks that their next queries cannot see ({@link
 * BlockManager#releaseOutOfWindow}), and a sequence gets blocks chunk by chunk rather than for its
 * whole prompt at admission, so a sequence holds about (window + chunk) / block size + 1 blocks
 * however long it grows.
 *
 * <p><b>Constraints compiling.</b> A sequence whose output constraint is still compiling is admitted
 * and prefilled like any other, except for its last prompt token ({@link Sequence#schedulable}): the
 * logits of that token are drawn from, which needs the constraint. Until then it holds its slot and
 * blocks and is skipped.
 *
 * <p><b>Tier hits.</b> Blocks a request fetched from the evicted-block tier when it was added (see
 * {@link BlockSwapper}) are swapped into the pool at its first admission and count as cached.
 */
final class Scheduler {
    private final BlockManager blocks;
    private final BlockSwapper swapper;
    private final int maxNumSeqs;
    private final int maxNumBatchedTokens;
    private final boolean chunkedPrefill;
    /** Whether preempted sequences keep their blocks: SWAP mode, where blocks can be found by hash again. */
    private final boolean swapPreempted;
    private final Deque<Sequence> waiting = new ArrayDeque<>();
    private final List<Sequence> running = new ArrayList<>();
    private long preemptions;
    private long promptTokens;
    private long cachedTokens;
    private long tierCachedTokens;
    private long swappedInTokens;

    Scheduler(BlockManager blocks, BlockSwapper swapper, EngineConfig config) {
        this.blocks = blocks;
        this.swapper = swapper;
        this.maxNumSeqs = config.maxNumSeqs();
        this.maxNumBatchedTokens = config.maxNumBatchedTokens();
        this.chunkedPrefill = config.chunkedPrefill();
        this.swapPreempted = config.preemptionMode() == PreemptionMode.SWAP && swapper.hasTier()
                && blocks.prefixCachingEnabled();
    }

    void add(Sequence sequence) {
        waiting.addLast(sequence);
    }

    /** The chunks of the next step; sequences admitted now get their blocks and join the running list. */
    List<ScheduledChunk> schedule(long nowNanos) {
        for (Sequence s : running) {
            releaseOutOfWindow(s);
        }
        List<ScheduledChunk> chunks = new ArrayList<>();
        int budget = maxNumBatchedTokens;
        // A preempted sequence is always the last one, never before the one asking, so the index stays valid.
        for (int i = 0; i < running.size() && budget > 0; i++) {
            Sequence s = running.get(i);
            if (!s.inPrefill() && reserveSlots(s, 1, chunks)) {
                chunks.add(new ScheduledChunk(s, s.table().computedTokens(), 1));
                budget--;
            }
        }
        for (int i = 0; i < running.size() && budget > 0; i++) {
            Sequence s = running.get(i);
            int n = s.inPrefill() ? Math.min(s.schedulable(), budget) : 0;
            if (n > 0 && reserveSlots(s, n, chunks)) {
                chunks.add(new ScheduledChunk(s, s.table().computedTokens(), n));
            }
            // A preempted decode gives its token back.
            budget = maxNumBatchedTokens - numTokens(chunks);
        }
        admit(chunks, budget, nowNanos);
        return chunks;
    }

    private static int numTokens(List<ScheduledChunk> chunks) {
        int n = 0;
        for (ScheduledChunk c : chunks) {
            n += c.numTokens();
        }
        return n;
    }

    /** On a windowed model, gives back the blocks no query of {@code s} will see again. */
    private void releaseOutOfWindow(Sequence s) {
        if (blocks.numOutOfWindowBlocks(s.table()) > 0) {
            // The tier files an evicted block under the key of the sequence that released it last.
            swapper.released(s.table(), s.tierKey);
            blocks.releaseOutOfWindow(s.table());
        }
    }

    private void admit(List<ScheduledChunk> chunks, int budget, long nowNanos) {
        Set<BlockHash> pending = blocks.prefixCachingEnabled() ? pendingBlocks() : Set.of();
        while (budget > 0 && running.size() < maxNumSeqs && !waiting.isEmpty()) {
            Sequence s = waiting.peekFirst();
            BlockSource tier = s.tierBlocks();
            // Without chunked prefill a sequence starts only when all it has to compute fits this step.
            if ((!chunkedPrefill && s.length() > budget) || waitsForPendingBlock(s, pending)
                    || !blocks.canAllocate(s.blockHashes(), s.length(), tier, budget)) {
                break;
            }
            waiting.pollFirst();
            if (s.admit(blocks.allocate(s.seqId, s.blockHashes(), s.length(), tier, budget))) {
                s.firstScheduledNanos = nowNanos;
                promptTokens += s.promptLength;
                cachedTokens += s.firstCachedTokens();
                tierCachedTokens += s.firstTierTokens();
            } else {
                swappedInTokens += s.table().tierTokens();
            }
            running.add(s);
            int n = Math.min(s.schedulable(), budget);
            if (n > 0) {
                chunks.add(new ScheduledChunk(s, s.table().computedTokens(), n));
                budget -= n;
            }
            if (blocks.prefixCachingEnabled()) {
                addPendingBlocks(s, pending);
            }
        }
    }

    /**
     * Makes room for the next {@code n} tokens of {@code s}, preempting newest sequences (and
     * dropping their chunks of this step); false if {@code s} itself was preempted. A table slotted
     * for its whole sequence at admission needs nothing more until it decodes.
     */
    private boolean reserveSlots(Sequence s, int n, List<ScheduledChunk> chunks) {
        int needed = s.table().computedTokens() + n - s.table().numTokens();
        while (needed > 0 && !blocks.appendSlots(s.table(), needed)) {
            Sequence victim = running.get(running.size() - 1);
            chunks.removeIf(c -> c.sequence() == victim);
            preempt(victim);
            if (victim == s) {
                return false;
            }
        }
        return true;
    }

    private void preempt(Sequence s) {
        running.remove(running.size() - 1);
        if (swapPreempted) {
            s.useTierBlocks(swapper.swapOut(s.table()));
        }
        release(s);
        waiting.addFirst(s);
        preemptions++;
    }

    /** Releases a finished sequence's blocks (its full blocks stay cached). */
    void finish(Sequence s) {
        running.remove(s);
        release(s);
    }

    /** Drops a sequence wherever it is (its constraint failed to compile), releasing what it holds. */
    void abort(Sequence s) {
        if (running.contains(s)) {
            finish(s);
        } else if (waiting.remove(s)) {
            s.tierBlocks().release();
        }
    }

    private void release(Sequence s) {
        swapper.released(s.table(), s.tierKey);
        blocks.free(s.table());
        s.release();
    }

    /** Hashes of the full blocks running prefills have yet to compute. */
    private Set<BlockHash> pendingBlocks() {
        Set<BlockHash> pending = new HashSet<>();
        for (Sequence s : running) {
            if (s.inPrefill()) {
                addPendingBlocks(s, pending);
            }
        }
        return pending;
    }

    private void addPendingBlocks(Sequence s, Set<BlockHash> pending) {
        BlockHashes hashes = s.blockHashes();
        for (int i = s.table().computedTokens() / blocks.blockSize(); i < hashes.size(); i++) {
            pending.add(hashes.get(i));
        }
    }

    /** Whether the first block the cache misses for {@code s} is one a running prefill is computing. */
    private boolean waitsForPendingBlock(Sequence s, Set<BlockHash> pending) {
        if (pending.isEmpty()) {
            return false;
        }
        int blockSize = blocks.blockSize();
        int next = blocks.lookupCachedPrefix(s.blockHashes(), s.length(), s.tierBlocks()) / blockSize;
        // Under the last-token rule a block holding the last prompt token is never a hit.
        if ((next + 1) * blockSize > s.length() - 1) {
            return false;
        }
        return pending.contains(s.blockHashes().get(next));
    }

    boolean hasWork() {
        return !waiting.isEmpty() || !running.isEmpty();
    }

    int numRunning() {
        return running.size();
    }

    int numWaiting() {
        return waiting.size();
    }

    long preemptions() {
        return preemptions;
    }

    /** Prompt tokens of first admissions. */
    long promptTokens() {
        return promptTokens;
    }

    /** Of {@link #promptTokens()}, those the prefix cache served (from the pool or the tier). */
    long cachedTokens() {
        return cachedTokens;
    }

    /** Of {@link #cachedTokens()}, those swapped in from the evicted-block tier. */
    long tierCachedTokens() {
        return tierCachedTokens;
    }

    /** Tokens of re-admitted preempted sequences swapped back in rather than recomputed. */
    long swappedInTokens() {
        return swappedInTokens;
    }
}
