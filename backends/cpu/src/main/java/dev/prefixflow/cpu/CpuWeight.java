package dev.prefixflow.cpu;

import dev.prefixflow.gguf.GgmlType;
import dev.prefixflow.platform.Weight;

/**
 * A weight matrix in heap arrays, still in its stored precision. Every subclass decodes a row into
 * the same floats as ggml's scalar dequantizer, {@link #L} lanes at a time.
 */
abstract class CpuWeight implements Weight {

    static final int L = Vectors.L;

    private final String name;
    private final GgmlType type;
    private final int rows;
    private final int cols;

    CpuWeight(String name, GgmlType type, int rows, int cols) {
        this.name = name;
        this.type = type;
        this.rows = rows;
        this.cols = cols;
    }

    /** Writes row {@code row}, dequantized, to dst[off ... off + cols). */
    abstract void decodeRow(int row, float[] dst, int off);

    /** Bytes the weights take in memory. */
    abstract long bytes();

    @Override
    public String name() {
        return name;
    }

    @Override
    public GgmlType type() {
        return type;
    }

    @Override
    public int rows() {
        return rows;
    }

    @Override
    public int cols() {
        return cols;
    }

    @Override
    public String toString() {
        return name + " " + type + " " + rows + "x" + cols;
    }
}
