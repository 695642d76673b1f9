package dev.prefixflow.cpu;

/**
 * A weight that multiplies four of its rows by one token without decoding them to memory first:
 * the single-token (decode step) path, bound by how fast the quantized rows stream in. It must
 * produce exactly what {@link FloatTiles} gives for the decoded rows.
 */
interface RowDot {

    /**
     * res[k] = dot(row 4 * group + k, x[xOff ...]) for k = 0..3; rows past the last are padding
     * and their results are to be ignored. {@code lanes} is scratch of at least 4 L floats.
     */
    void dot4(int group, float[] x, int xOff, float[] res, float[] lanes);
}
