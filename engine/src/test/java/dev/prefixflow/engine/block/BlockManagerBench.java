package dev.prefixflow.engine.block;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The block manager's share of an engine loop, without a model: 512 requests of 1,024 prompt
 * tokens (a 256-token prefix shared by all, the rest their own), 64 running at once, a 2,048-token
 * budget per step, 64 generated tokens each. Each step makes the calls the engine makes: per
 * admission a cache lookup, canAllocate and allocate; per chunk the block table and slot mapping
 * the model runner reads; markComputed after it; appendSlots per decode; free at the end. Reports
 * the thread's CPU microseconds per step, which a machine shared with other work disturbs far
 * less than wall time. Not a test; run like {@link EvictorBench}, with this class name.
 */
public final class BlockManagerBench {

    private static final int BLOCK_SIZE = 16;
    private static final int REQUESTS = 512;
    private static final int PROMPT = 1024;
    private static final int SHARED = 256;
    private static final int GENERATED = 64;
    private static final int MAX_NUM_SEQS = 64;
    private static final int BUDGET = 2048;
    /** Enough for every running sequence, plus some room for the cache. */
    private static final int NUM_BLOCKS = MAX_NUM_SEQS * (PROMPT + GENERATED) / BLOCK_SIZE * 5 / 4;
    /** Keeps the model runner's inputs from being optimized away. */
    private static volatile long sink;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private BlockManagerBench() {}

    /** A request's growing tokens and its blocks. */
    private static final class Seq {
        final long id;
        int[] tokens;
        int length;
        final BlockHashes hashes = new BlockHashes(BLOCK_SIZE, null);
        BlockTable table;

        Seq(long id, int[] prompt) {
            this.id = id;
            this.tokens = Arrays.copyOf(prompt, PROMPT + GENERATED);
            this.length = prompt.length;
            hashes.extend(tokens, length);
        }

        void append(int token) {
            tokens[length++] = token;
            hashes.extend(tokens, length);
        }
    }

    public static void main(String[] args) {
        for (int round = 0; round < 3; round++) {
            run();
        }
        for (int round = 0; round < 5; round++) {
            System.out.printf("block manager: %.1f us of CPU per step%n", run());
        }
    }

    /** CPU microseconds of block manager work per engine step. */
    private static double run() {
        Random random = new Random(1);
        int[] shared = random.ints(SHARED, 0, 32_000).toArray();
        int[][] prompts = new int[REQUESTS][];
        for (int i = 0; i < REQUESTS; i++) {
            prompts[i] = Arrays.copyOf(shared, PROMPT);
            for (int t = SHARED; t < PROMPT; t++) {
                prompts[i][t] = random.nextInt(32_000);
            }
        }
        long start = THREADS.getCurrentThreadCpuTime();
        // Timed from here: a sequence hashes its prompt when it is created.
        List<Seq> waiting = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            waiting.add(new Seq(i, prompts[i]));
        }
        BlockManager blocks = new BlockManager(NUM_BLOCKS, BLOCK_SIZE, true);
        List<Seq> running = new ArrayList<>();
        long steps = 0;
        while (!waiting.isEmpty() || !running.isEmpty()) {
            List<Seq> chunks = new ArrayList<>();
            List<Integer> ends = new ArrayList<>();
            int budget = BUDGET;
            for (Seq s : running) {
                boolean decode = s.table.computedTokens() >= PROMPT;
                if (decode && blocks.appendSlots(s.table, 1)) {
                    chunks.add(s);
                    ends.add(s.length);
                    budget--;
                }
            }
            for (Seq s : running) {
                if (s.table.computedTokens() < PROMPT && budget > 0) {
                    int n = Math.min(PROMPT - s.table.computedTokens(), budget);
                    chunks.add(s);
                    ends.add(s.table.computedTokens() + n);
                    budget -= n;
                }
            }
            while (budget > 0 && running.size() < MAX_NUM_SEQS && !waiting.isEmpty()) {
                Seq s = waiting.get(0);
                blocks.lookupCachedPrefix(s.hashes, s.length, BlockSource.NONE);
                if (!blocks.canAllocate(s.hashes, s.length, BlockSource.NONE)) {
                    break;
                }
                waiting.remove(0);
                s.table = blocks.allocate(s.id, s.hashes, s.length, BlockSource.NONE);
                running.add(s);
                int n = Math.min(s.length - s.table.computedTokens(), budget);
                chunks.add(s);
                ends.add(s.table.computedTokens() + n);
                budget -= n;
            }
            long read = 0;
            for (int i = 0; i < chunks.size(); i++) {
                Seq s = chunks.get(i);
                int from = s.table.computedTokens();
                read += s.table.blockIds().length + blocks.slotMapping(s.table, from, ends.get(i) - from)[0];
            }
            sink = read;
            for (int i = 0; i < chunks.size(); i++) {
                Seq s = chunks.get(i);
                blocks.markComputed(s.table, ends.get(i));
                if (ends.get(i) == s.length) {
                    if (s.length == PROMPT + GENERATED) {
                        blocks.free(s.table);
                        running.remove(s);
                    } else {
                        s.append(s.tokens[s.length - 1] * 31 + 7 & 0x7fff);
                    }
                }
            }
            steps++;
        }
        return (THREADS.getCurrentThreadCpuTime() - start) / 1e3 / steps;
    }
}
