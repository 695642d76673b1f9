package dev.prefixflow.cpu;

import dev.prefixflow.gguf.GgmlType;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * The single-token kernel alone, on the calling thread: {@link RowDot#dot4} over every row group of
 * {@code count} matrices of {@code rows} x 8192 (one stream), or with {@code two} {@link
 * TwoStreams#dot4x2} over the first and second half side by side. Prints Gweights/s per second of
 * the thread's CPU time for the second half of the rounds (the first half warms C2 up). 64 rows fit
 * in the L2 cache (the kernel's arithmetic alone); 2048 rows x 8 matrices do not (arithmetic and
 * memory). Pin it to one core (taskset) to compare runs.
 * Usage: RowDotBench TYPE ROWS COUNT ROUNDS [two].
 */
public final class RowDotBench {

    private static final int COLS = 8192;

    public static void main(String[] args) {
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        GgmlType type = GgmlType.valueOf(args[0]);
        int rows = Integer.parseInt(args[1]);
        int count = Integer.parseInt(args[2]);
        int rounds = Integer.parseInt(args[3]);
        boolean two = args.length > 4 && args[4].equals("two");
        CpuWeight[] ws = new CpuWeight[count];
        for (int i = 0; i < count; i++) {
            ws[i] = WeightPacker.pack(RandomTensors.matrix(type, rows, COLS, i));
        }
        float[] x = RandomTensors.floats(COLS, 1);
        float[] tokens = x;
        if (ws[0] instanceof LaneOrderedWeight lw) {
            tokens = new float[lw.tokenStride()];
            lw.reorder(x, 0, 1, tokens);
        }
        float[] res = new float[8];
        float[] lanes = new float[RowDot.LANES * Vectors.L];
        int groups = rows / RowGroups.ROWS;
        double sink = 0;
        StringBuilder line = new StringBuilder();
        for (int round = 0; round < rounds; round++) {
            long best = Long.MAX_VALUE;
            for (int rep = 0; rep < 5; rep++) {
                long c0 = cpu.getCurrentThreadCpuTime();
                for (CpuWeight w : ws) {
                    if (two) {
                        for (int g = 0; g < groups / 2; g++) {
                            ((TwoStreams) w).dot4x2(g, g + groups / 2, tokens, 0, res, lanes);
                            sink += res[0];
                        }
                    } else {
                        for (int g = 0; g < groups; g++) {
                            ((RowDot) w).dot4(g, tokens, 0, res, lanes);
                            sink += res[0];
                        }
                    }
                }
                best = Math.min(best, cpu.getCurrentThreadCpuTime() - c0);
            }
            if (round >= rounds / 2) {
                line.append(String.format(" %.1f", (double) count * rows * COLS / best));
            }
        }
        System.out.printf("%s %dx%d x%d, %s: Gweights/s per CPU second:%s%s%n", type, rows, COLS, count,
                two ? "two streams" : "one stream", line, sink == 42 ? " " : "");
    }
}
