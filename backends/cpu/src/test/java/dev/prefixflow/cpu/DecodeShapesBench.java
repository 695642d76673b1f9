package dev.prefixflow.cpu;

import dev.prefixflow.gguf.GgmlType;

/**
 * Single-token (decode) matmul speed per matrix shape of one token of a Llama 3.2 1B in Q8_0: the
 * seven matrices of each of 16 layers and the 128256-row output matrix, 1.3 GB in all, so nothing
 * stays in cache. Prints GB/s of weights per shape and for the whole token, after a warm-up.
 * Usage: DecodeShapesBench [passes].
 */
public final class DecodeShapesBench {

    private static final int LAYERS = 16;
    private static final String[] NAMES = {"q", "k", "v", "o", "gate", "up", "down", "output"};
    private static final int[][] SHAPES = {{2048, 2048}, {512, 2048}, {512, 2048}, {2048, 2048}, {8192, 2048},
        {8192, 2048}, {2048, 8192}};

    public static void main(String[] args) {
        int passes = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        CpuKernels kernels = new CpuKernels(CpuThreadPool.shared());
        CpuWeight[][] layers = new CpuWeight[LAYERS][SHAPES.length];
        for (int l = 0; l < LAYERS; l++) {
            for (int s = 0; s < SHAPES.length; s++) {
                layers[l][s] = upload(kernels, SHAPES[s][0], SHAPES[s][1], 10L * l + s);
            }
        }
        CpuWeight output = upload(kernels, 128256, 2048, 99);
        float[] x = RandomTensors.floats(8192, 1);
        float[] out = new float[128256];
        long[] nanos = new long[NAMES.length];
        long[] bytes = new long[NAMES.length];
        for (int pass = 0; pass < passes; pass++) {
            // The first half warms up (C2 compiles the kernels); the second half is measured.
            boolean timed = pass >= passes / 2;
            for (int l = 0; l < LAYERS; l++) {
                for (int s = 0; s < SHAPES.length; s++) {
                    long t = System.nanoTime();
                    kernels.matmul(layers[l][s], x, out, 1);
                    if (timed) {
                        nanos[s] += System.nanoTime() - t;
                        bytes[s] += layers[l][s].bytes();
                    }
                }
            }
            long t = System.nanoTime();
            kernels.matmul(output, x, out, 1);
            if (timed) {
                nanos[SHAPES.length] += System.nanoTime() - t;
                bytes[SHAPES.length] += output.bytes();
            }
        }
        long allNanos = 0;
        long allBytes = 0;
        System.out.printf("threads %d, %d timed passes%n", CpuThreadPool.shared().threads(), passes - passes / 2);
        for (int s = 0; s < NAMES.length; s++) {
            System.out.printf("  %-7s %6.1f GB/s%n", NAMES[s], (double) bytes[s] / nanos[s]);
            allNanos += nanos[s];
            allBytes += bytes[s];
        }
        System.out.printf("  token   %6.1f GB/s  (%.1f ms)%n", (double) allBytes / allNanos,
                allNanos / 1e6 / (passes - passes / 2));
    }

    private static CpuWeight upload(CpuKernels kernels, int rows, int cols, long seed) {
        return (CpuWeight) kernels.upload(RandomTensors.matrix(GgmlType.Q8_0, rows, cols, seed));
    }
}
