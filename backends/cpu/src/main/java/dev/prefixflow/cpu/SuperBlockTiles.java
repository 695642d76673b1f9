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
     * {@code res} is scratch of 16 floats.
     */
    void multiply(int group, float[] x, int t0, int t1, float[] out, int count, float[] work, float[] res);
}
