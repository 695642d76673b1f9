package dev.prefixflow.cpu;

/**
 * A weight that multiplies four of its rows by one token without decoding them to memory first:
 * the single-token (decode step) path. It must produce exactly what the batched path gives:
 * {@link FloatTiles} over the decoded rows.
 */
interface RowDot {

    /** Vectors of scratch that {@link #dot4} (and {@link TwoStreams#dot4x2}) may use. */
    int LANES = 24;

    /**
     * res[k] = dot(row 4 * group + k, x[xOff ...]) for k = 0..3; rows past the last are padding
     * and their results are to be ignored. {@code lanes} is scratch of {@link #LANES} vectors.
     */
    void dot4(int group, float[] x, int xOff, float[] res, float[] lanes);
}
