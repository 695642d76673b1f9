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

    /**
     * Rows {@code from .. from + count} of a matrix as a matrix of their own, sharing these bytes: one part
     * of a fused tensor (Phi-3's attn_qkv, its gate-and-up ffn_up).
     */
    public TensorData rowSlice(String sliceName, int from, int count) {
        if (dims.length != 2 || from < 0 || count <= 0 || from + count > rows()) {
            throw new IllegalArgumentException(name + ": rows " + from + ".." + (from + count) + " of a "
                    + java.util.Arrays.toString(dims) + " tensor");
        }
        long rowBytes = type.byteSize(cols());
        ByteBuffer slice = data.slice(Math.toIntExact(from * rowBytes), Math.toIntExact(count * rowBytes))
                .order(data.order());
        return new TensorData(sliceName, type, new long[] {cols(), count}, slice);
    }

    /** Rows: the product of the outer dimensions. */
    public int rows() {
        return Math.toIntExact(elements() / dims[0]);
    }
}
