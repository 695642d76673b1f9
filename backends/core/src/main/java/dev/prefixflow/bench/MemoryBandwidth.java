package dev.prefixflow.bench;

import java.util.Arrays;
import java.util.concurrent.CyclicBarrier;

/**
 * Streaming-read memory bandwidth as plain Java sees it: threads summing their own long[] arrays.
 * The yardstick for memory-bound kernels (a single-token matmul should approach it).
 */
public final class MemoryBandwidth {

    private static final int PASSES = 5;

    private MemoryBandwidth() {
    }

    /**
     * Best-of-{@value #PASSES} read bandwidth, in GB/s (10^9 bytes), of {@code threads} threads each
     * summing a {@code bytes / threads} array; make {@code bytes} much larger than the caches.
     */
    public static double streamingReadGBps(long bytes, int threads) {
        long perThread = bytes / threads / Long.BYTES;
        if (perThread <= 0 || perThread > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(bytes + " bytes cannot be split into " + threads + " long arrays");
        }
        long[][] arrays = new long[threads][(int) perThread];
        for (long[] a : arrays) {
            for (int i = 0; i < a.length; i++) {
                a[i] = i;
            }
        }
        long[] sink = new long[threads];
        long[] starts = new long[threads];
        long[] ends = new long[threads];
        double best = 0;
        for (int pass = 0; pass < PASSES; pass++) {
            CyclicBarrier start = new CyclicBarrier(threads);
            Thread[] workers = new Thread[threads];
            for (int t = 0; t < threads; t++) {
                int id = t;
                workers[t] = new Thread(() -> {
                    await(start);
                    starts[id] = System.nanoTime();
                    sink[id] += sum(arrays[id]);
                    ends[id] = System.nanoTime();
                });
                workers[t].start();
            }
            for (Thread w : workers) {
                join(w);
            }
            // Timed by the workers themselves: on a busy machine the main thread may wake up after
            // they have started, and then a time taken there came out short.
            long elapsed = Arrays.stream(ends).max().getAsLong() - Arrays.stream(starts).min().getAsLong();
            best = Math.max(best, (double) perThread * Long.BYTES * threads / elapsed);
        }
        // Keeps the sums observable, so the reads cannot be optimised away.
        if (sink[0] == 42) {
            System.out.print("");
        }
        return best;
    }

    // Four independent sums, so the adds do not serialise on one register.
    private static long sum(long[] a) {
        long s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (; i + 4 <= a.length; i += 4) {
            s0 += a[i];
            s1 += a[i + 1];
            s2 += a[i + 2];
            s3 += a[i + 3];
        }
        for (; i < a.length; i++) {
            s0 += a[i];
        }
        return s0 + s1 + s2 + s3;
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
