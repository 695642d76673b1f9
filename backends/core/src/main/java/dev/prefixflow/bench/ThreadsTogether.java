package dev.prefixflow.bench;

import java.util.Arrays;
import java.util.concurrent.CyclicBarrier;
import java.util.function.IntConsumer;

/**
 * Runs one piece of work per thread, all released together, and times them: the span from the
 * first thread's start to the last one's end, as the threads read the clock themselves. Timed by
 * the workers because on a busy machine the main thread may wake up after they have started, and
 * then a time taken there came out short.
 */
public final class ThreadsTogether {

    private ThreadsTogether() {
    }

    /** Runs {@code work.accept(t)} for t below {@code threads}, one new thread each; returns nanoseconds. */
    public static long time(int threads, IntConsumer work) {
        CyclicBarrier start = new CyclicBarrier(threads);
        long[] starts = new long[threads];
        long[] ends = new long[threads];
        Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            int id = t;
            workers[t] = new Thread(() -> {
                await(start);
                starts[id] = System.nanoTime();
                work.accept(id);
                ends[id] = System.nanoTime();
            });
            workers[t].start();
        }
        for (Thread w : workers) {
            join(w);
        }
        return Arrays.stream(ends).max().getAsLong() - Arrays.stream(starts).min().getAsLong();
    }

    private static void await(CyclicBarrier b) {
        try {
            b.await();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void join(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
