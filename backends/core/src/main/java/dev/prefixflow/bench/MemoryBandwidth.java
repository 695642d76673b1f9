package dev.prefixflow.bench;

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
        double best = 0;
        for (int pass = 0; pass < PASSES; pass++) {
            long elapsed = ThreadsTogether.time(threads, id -> sink[id] += sum(arrays[id]));
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
}
