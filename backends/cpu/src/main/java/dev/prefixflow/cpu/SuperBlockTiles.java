package dev.prefixflow.cpu;

/**
 * A weight whose batched product keeps each super-block's scales out of the sum, as its
 * single-token {@link RowDot#dot4} does: its rows are decoded to quants, not weights, and its own
 * tiles add the scaled super-block sums, so that both paths do the same float operations.
 */
interface SuperBlockTiles {

    /** Floats of scratch that {@link #multiply} needs. */
    int workSize();

    /**
     * Tokens [t0, t1) of x (in the weight's token order, {@link LaneOrderedWeight#tokenStride} floats
     * apart) times the row group {@code group}: out[t][4 group + k] for its first {@code count} rows.
     * The whole fours of tokens (t0 is a multiple of 4) are read from {@code fours}, the same tokens
     * interleaved by {@link FloatTiles#interleave} over the whole stride. {@code res} is scratch of 16 floats.
     */
    void multiply(int group, float[] fours, float[] x, int t0, int t1, float[] out, int count, float[] work,
                  float[] res);
}
