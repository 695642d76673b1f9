package dev.prefixflow.cpu;

/** A weight whose batched product multiplies float rows in its kernel column order ({@link FloatTiles}). */
interface LaneRows {

    /**
     * Writes row {@code row} as the single-token kernel computes it: in kernel column order,
     * {@link LaneOrderedWeight#tokenStride} floats, each weight built from its quant by the same float
     * operations, so that a tile over these floats does exactly what {@link RowDot#dot4} does.
     */
    void decodeLanes(int row, float[] dst, int off);
}
