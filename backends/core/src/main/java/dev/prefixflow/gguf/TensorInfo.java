package dev.prefixflow.gguf;

import java.util.Arrays;

/**
 * Where a tensor lives in a GGUF file. {@code dims[0]} is the innermost dimension; {@code offset}
 * is absolute in the file (the format stores it relative to the data section).
 */
public record TensorInfo(String name, GgmlType type, long[] dims, long offset, long byteSize) {

    public TensorInfo {
        dims = dims.clone();
    }

    /** A copy, so callers cannot change the shape behind the file's back. */
    @Override
    public long[] dims() {
        return dims.clone();
    }

    public long elements() {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        return n;
    }

    @Override
    public String toString() {
        return name + " " + type + " " + Arrays.toString(dims) + " @" + offset + " (" + byteSize + " bytes)";
    }
}
