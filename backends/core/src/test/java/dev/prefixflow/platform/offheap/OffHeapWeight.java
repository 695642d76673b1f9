package dev.prefixflow.platform.offheap;

import dev.prefixflow.gguf.Dequantize;
import dev.prefixflow.gguf.GgmlType;
import dev.prefixflow.gguf.TensorData;
import dev.prefixflow.platform.Weight;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * A weight matrix dequantized once, at upload, into a direct buffer of float32 rows: this platform
 * checks conformance, not memory footprint, and decoding every row at every call made its tests
 * slow. The values are ggml's reference dequantization ({@link Dequantize}).
 */
final class OffHeapWeight implements Weight {
    private final String name;
    private final GgmlType type;
    private final int rows;
    private final int cols;
    final FloatBuffer values;

    OffHeapWeight(TensorData source) {
        this.name = source.name();
        this.type = source.type();
        this.rows = source.rows();
        this.cols = source.cols();
        this.values = ByteBuffer.allocateDirect(Math.multiplyExact(Math.multiplyExact(rows, cols), Float.BYTES))
                .order(ByteOrder.nativeOrder()).asFloatBuffer();
        float[] row = new float[cols];
        for (int r = 0; r < rows; r++) {
            Dequantize.row(source, r, row, 0);
            values.put(r * cols, row);
        }
    }

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

    static OffHeapWeight own(Weight w) {
        if (w instanceof OffHeapWeight o) {
            return o;
        }
        throw new IllegalArgumentException("weight " + w.name() + " was not uploaded by the off-heap platform");
    }
}
