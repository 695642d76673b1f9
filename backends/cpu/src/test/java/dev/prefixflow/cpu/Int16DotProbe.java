package dev.prefixflow.cpu;

/**
 * What Java 17 reaches with the one integer dot product its compiler emits. The Vector API has no
 * 8- or 16-bit dot product, but C2's auto-vectorizer turns a scalar loop of the form
 * {@code c[i] += a[2i] b[2i] + a[2i+1] b[2i+1]} over short arrays into pmaddwd (vpdpwssd where
 * the CPU has VNNI). This prints that loop's multiply-adds per second on one thread, beside the
 * same loop with byte weights and one thread's FP32 peak ({@link FmaPeak}), so one run shows
 * whether the integer form could beat the float kernels. Run it again with
 * {@code -XX:-UseSuperWord} to see the scalar rate, i.e. that the loop was vectorized.
 * Usage: Int16DotProbe [pairs per call, default 512] [seconds per loop, default 2].
 */
public final class Int16DotProbe {

    private Int16DotProbe() {
    }

    /** The shape C2 matches as MulAddS2I: the accumulators live in memory, one store per pair sum. */
    static void pairs(short[] a, short[] b, int[] c, int n) {
        for (int i = 0; i < n; i++) {
            c[i] += a[2 * i] * b[2 * i] + a[2 * i + 1] * b[2 * i + 1];
        }
    }

    /** The same with byte weights, as Q8_0 and the K-quants keep them. */
    static void bytePairs(byte[] a, short[] b, int[] c, int n) {
        for (int i = 0; i < n; i++) {
            c[i] += a[2 * i] * b[2 * i] + a[2 * i + 1] * b[2 * i + 1];
        }
    }

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 512;
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 2;
        short[] a = new short[2 * n];
        byte[] bytes = new byte[2 * n];
        short[] b = new short[2 * n];
        int[] c = new int[n];
        for (int i = 0; i < 2 * n; i++) {
            a[i] = (short) (i % 255 - 127);
            bytes[i] = (byte) a[i];
            b[i] = (short) (i % 251 - 125);
        }
        System.out.printf("%d pairs per call, one thread%n", n);
        for (int round = 0; round < 3; round++) {
            double shorts = macsPerSecond(() -> pairs(a, b, c, n), n, seconds);
            double fromBytes = macsPerSecond(() -> bytePairs(bytes, b, c, n), n, seconds);
            double fp32 = FmaPeak.flopsPerSecond(1) / 2;
            System.out.printf("16-bit pairs %.1f, byte x short pairs %.1f, FP32 FMA peak %.1f GMAC/s (checksum %d)%n",
                    shorts / 1e9, fromBytes / 1e9, fp32 / 1e9, c[n / 2]);
        }
    }

    private static double macsPerSecond(Runnable loop, int n, double seconds) {
        long calls = 0;
        long start = System.nanoTime();
        while (System.nanoTime() - start < seconds * 1e9) {
            for (int i = 0; i < 1000; i++) {
                loop.run();
            }
            calls += 1000;
        }
        return 2.0 * n * calls / ((System.nanoTime() - start) / 1e9);
    }
}
