package dev.prefixflow.cpu;

import dev.prefixflow.bench.MemoryBandwidth;
import dev.prefixflow.gguf.GgmlType;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/**
 * Matmul throughput on 2048x8192 matrices (by default), several of them so the set (> 256 MB by default) does
 * not fit in cache, against streaming-read bandwidth.
 * Usage: KernelBench [totalMB] [seconds per case] [types, default Q8_0,Q4_0,Q4_K,Q6_K]. With one thread
 * (-Dprefixflow.cpu.threads=1) it also prints GFLOP/s per second of the thread's CPU time, the figure
 * that other load on a shared machine inflates least. -Dkernelbench.rows, -Dkernelbench.cols and
 * -Dkernelbench.tokens (a comma-separated list) change the shape and the token counts.
 */
public final class KernelBench {

    private static final int ROWS = Integer.getInteger("kernelbench.rows", 2048);
    private static final int COLS = Integer.getInteger("kernelbench.cols", 8192);
    private static final int[] TOKENS = Arrays.stream(System.getProperty("kernelbench.tokens", "1,32").split(","))
            .mapToInt(Integer::parseInt).toArray();
    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    public static void main(String[] args) {
        long totalMb = args.length > 0 ? Long.parseLong(args[0]) : 300;
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 2;
        CpuThreadPool pool = CpuThreadPool.shared();
        CpuKernels kernels = new CpuKernels(pool);
        System.out.printf("threads %d, vector lanes %d%n", pool.threads(), Vectors.L);
        System.out.printf("streaming read: %.1f GB/s%n", MemoryBandwidth.streamingReadGBps(totalMb << 20, pool.threads()));
        GgmlType[] types = Arrays.stream((args.length > 2 ? args[2] : "Q8_0,Q4_0,Q4_K,Q6_K").split(","))
                .map(GgmlType::valueOf).toArray(GgmlType[]::new);
        warmUp(kernels, types, seconds);
        for (GgmlType type : types) {
            long perMatrix = type.byteSize((long) ROWS * COLS);
            int count = (int) Math.max(1, (totalMb << 20) / perMatrix);
            CpuWeight[] ws = new CpuWeight[count];
            long bytes = 0;
            for (int i = 0; i < count; i++) {
                ws[i] = (CpuWeight) kernels.upload(RandomTensors.matrix(type, ROWS, COLS, i));
                bytes += ws[i].bytes();
            }
            for (int n : TOKENS) {
                float[] x = RandomTensors.floats(n * COLS, n);
                float[] out = new float[n * ROWS];
                long passes = 0;
                long best = Long.MAX_VALUE;
                long bestCpu = Long.MAX_VALUE;
                long start = System.nanoTime();
                while (System.nanoTime() - start < seconds * 1e9 || passes < 3) {
                    long t0 = System.nanoTime();
                    long c0 = CPU.getCurrentThreadCpuTime();
                    for (CpuWeight w : ws) {
                        kernels.matmul(w, x, out, n);
                    }
                    best = Math.min(best, System.nanoTime() - t0);
                    bestCpu = Math.min(bestCpu, CPU.getCurrentThreadCpuTime() - c0);
                    passes++;
                }
                double perMatmulS = best / 1e9 / count;
                System.out.printf("%s %dx%d n=%-2d x%d matrices (%d MB): %.1f GB/s of weights, %.1f GFLOP/s, "
                                + "%.0f tokens/s per matrix (best of %d passes)%n",
                        type, ROWS, COLS, n, count, bytes >> 20, bytes / (best / 1e9) / 1e9,
                        2.0 * ROWS * COLS * n / perMatmulS / 1e9, n / perMatmulS, passes);
                if (pool.threads() == 1) {
                    System.out.printf("    %.1f GFLOP/s per second of CPU time%n",
                            2.0 * ROWS * COLS * n * count / (bestCpu / 1e9) / 1e9);
                }
            }
        }
    }

    /**
     * Runs every case on a small matrix first, so that the timed passes use fully compiled kernels:
     * the Vector API is very slow until C2 has compiled them, which takes seconds. Short rows make
     * many calls, so the kernels get a normal compilation rather than only an on-stack replacement.
     * Three times the measuring time per case, because on a busy machine C2 lags far behind.
     */
    private static void warmUp(CpuKernels kernels, GgmlType[] types, double seconds) {
        for (GgmlType type : types) {
            int cols = 512;
            CpuWeight w = (CpuWeight) kernels.upload(RandomTensors.matrix(type, 64, cols, 0));
            for (int n : TOKENS) {
                float[] x = RandomTensors.floats(n * cols, n);
                float[] out = new float[n * w.rows()];
                long start = System.nanoTime();
                while (System.nanoTime() - start < 3 * seconds * 1e9) {
                    kernels.matmul(w, x, out, n);
                }
            }
        }
    }
}
