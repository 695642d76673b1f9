package dev.prefixflow.gguf;

import java.nio.ByteBuffer;

/**
 * A tensor's raw bytes in ggml layout. {@code dims[0]} is the innermost (contiguous) dimension, so a
 * matrix with {@code dims = [cols, rows]} stores {@code rows} rows of {@code cols} weights each. The
 * buffer is little-endian, positioned at 0 and limited to the tensor's byte size.
 */
public record TensorData(String name, GgmlType type, long[] dims, ByteBuffer data) {

    public long elements() {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        return n;
    }

    /** Weights per row (the innermost dimension). */
    public int cols() {
        return Math.toIntExact(dims[0]);
    }

    /** Rows: the product of the outer dimensions. */
    public int rows() {
        return Math.toIntExact(elements() / dims[0]);
    }
}
