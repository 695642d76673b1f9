package dev.prefixflow.cpu;

import dev.prefixflow.bench.ThreadsTogether;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The FP32 multiply-add peak as the Vector API reaches it: threads each running independent FMA
 * chains that stay in registers. The yardstick for compute-bound kernels, as {@code
 * MemoryBandwidth} is for memory-bound ones.
 */
final class FmaPeak {

    /** Independent chains, enough to keep every FMA unit busy despite each FMA's latency. */
    private static final int CHAINS = 12;
    private static final int PASSES = 3;
    private static final long PASS_NANOS = 400_000_000L;
    /** Iterations between clock reads: a few milliseconds' worth. */
    private static final long CHUNK = 1 << 20;
    /**
     * Enough calls of a short loop for C2 to compile it: until then each vector is a heap object and
     * the loop runs hundreds of times slower.
     */
    private static final int WARMUP_CALLS = 100;
    private static final long WARMUP_ITERATIONS = 10_000;
    /** Slightly below 1, so the chains converge instead of overflowing. */
    private static final float FACTOR = 0.999f;

    private FmaPeak() {
    }

    /** Best-of-{@value #PASSES} multiply-add throughput, in FLOP/s, of {@code threads} threads started together. */
    static double flopsPerSecond(int threads) {
        float sink = 0;
        for (int i = 0; i < WARMUP_CALLS; i++) {
            sink += chains(FACTOR, WARMUP_ITERATIONS);
        }
        float[] sinks = new float[threads];
        long[] iterations = new long[threads];
        double best = 0;
        for (int pass = 0; pass < PASSES; pass++) {
            long elapsed = ThreadsTogether.time(threads, id -> {
                long begin = System.nanoTime();
                long n = 0;
                // Runs for a fixed time rather than a fixed count, so no calibration is needed.
                while (System.nanoTime() - begin < PASS_NANOS) {
                    sinks[id] += chains(FACTOR, CHUNK);
                    n += CHUNK;
                }
                iterations[id] = n;
            });
            double flops = 2.0 * Vectors.L * CHAINS * Arrays.stream(iterations).sum();
            best = Math.max(best, flops / elapsed * 1e9);
        }
        // Keeps the results observable, so the loops cannot be optimised away.
        for (float s : sinks) {
            sink += s;
        }
        if (sink == 42) {
            System.out.print("");
        }
        return best;
    }

    /**
     * {@value #CHAINS} chains of {@code a = a * m + m}. They start apart so that the compiler cannot
     * merge them into one.
     */
    private static float chains(float m, long iterations) {
        FloatVector f = FloatVector.broadcast(Vectors.F, m);
        FloatVector a0 = f.add(0f), a1 = f.add(1f), a2 = f.add(2f), a3 = f.add(3f), a4 = f.add(4f), a5 = f.add(5f);
        FloatVector a6 = f.add(6f), a7 = f.add(7f), a8 = f.add(8f), a9 = f.add(9f), a10 = f.add(10f), a11 = f.add(11f);
        for (long i = 0; i < iterations; i++) {
            a0 = a0.fma(f, f);
            a1 = a1.fma(f, f);
            a2 = a2.fma(f, f);
            a3 = a3.fma(f, f);
            a4 = a4.fma(f, f);
            a5 = a5.fma(f, f);
            a6 = a6.fma(f, f);
            a7 = a7.fma(f, f);
            a8 = a8.fma(f, f);
            a9 = a9.fma(f, f);
            a10 = a10.fma(f, f);
            a11 = a11.fma(f, f);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
                .reduceLanes(VectorOperators.ADD);
    }
}
