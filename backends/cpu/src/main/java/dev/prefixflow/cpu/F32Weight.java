package dev.prefixflow.cpu;

import dev.prefixflow.gguf.GgmlType;

/** F32 weights: already floats, so matmul reads them in place instead of decoding. */
final class F32Weight extends CpuWeight {

    private final float[] data;

    F32Weight(String name, int rows, int cols, float[] data) {
        super(name, GgmlType.F32, rows, cols);
        this.data = data;
    }

    float[] data() {
        return data;
    }

    @Override
    void decodeRow(int row, float[] dst, int off) {
        System.arraycopy(data, row * cols(), dst, off, cols());
    }

    @Override
    long bytes() {
        return (long) data.length * Float.BYTES;
    }
}
