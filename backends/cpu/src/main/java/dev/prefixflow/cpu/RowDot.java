package dev.prefixflow.cpu;

/**
 * A weight that multiplies four of its rows by one token without decoding them to memory first:
 * the single-token (decode step) path, bound by how fast the quantized rows stream in. It must
 * produce exactly what {@link FloatTiles} gives for the decoded rows.
 */
interface RowDot {

    /** res[k] = dot(row rk, x[xOff ...]) for k = 0..3. */
    void dot4(int r0, int r1, int r2, int r3, float[] x, int xOff, float[] res, float[] lanes);
}
