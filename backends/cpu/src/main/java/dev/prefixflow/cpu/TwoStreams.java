package dev.prefixflow.cpu;

/**
 * A {@link RowDot} that can multiply two row groups far apart in memory at once, block by block.
 * One thread then reads two sequential streams: a single stream, read by a kernel that does this
 * much arithmetic per byte, reached 14 Gweights/s per CPU second out of memory where two reached
 * 18.5 (Q4_K, 2048x8192 rows, Zen 4 / 5 under load), because twice as many cache misses are under
 * way at once; Q8_0 went from 15 to 24 (idle Zen 5, {@code RowDotBench Q8_0 2048 8 12 [two]}). The
 * results are those of two calls of {@link RowDot#dot4}.
 */
interface TwoStreams extends RowDot {

    /** dot4 of groups {@code first} (res[0..3]) and {@code second} (res[4..7]). */
    void dot4x2(int first, int second, float[] x, int xOff, float[] res, float[] lanes);
}
