package dev.prefixflow.platform.offheap;

import dev.prefixflow.gguf.Dequantize;
import dev.prefixflow.gguf.GgmlType;
import dev.prefixflow.gguf.TensorData;
import dev.prefixflow.platform.Weight;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** A weight matrix's GGUF bytes, copied into a direct buffer and dequantized a row at a time. */
final class OffHeapWeight implements Weight {
    private final TensorData tensor;

    OffHeapWeight(TensorData source) {
        ByteBuffer copy = ByteBuffer.allocateDirect(source.data().remaining()).order(ByteOrder.LITTLE_ENDIAN);
        copy.put(source.data().duplicate()).flip();
        this.tensor = new TensorData(source.name(), source.type(), source.dims().clone(), copy);
    }

    /** Row {@code row} as floats, into {@code out} (a kernel's working row, not a tensor). */
    void row(int row, float[] out) {
        Dequantize.row(tensor, row, out, 0);
    }

    @Override
    public String name() {
        return tensor.name();
    }

    @Override
    public GgmlType type() {
        return tensor.type();
    }

    @Override
    public int rows() {
        return tensor.rows();
    }

    @Override
    public int cols() {
        return tensor.cols();
    }

    static OffHeapWeight own(Weight w) {
        if (w instanceof OffHeapWeight o) {
            return o;
        }
        throw new IllegalArgumentException("weight " + w.name() + " was not uploaded by the off-heap platform");
    }
}
