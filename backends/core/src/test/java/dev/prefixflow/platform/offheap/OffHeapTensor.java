package dev.prefixflow.platform.offheap;

import dev.prefixflow.platform.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/** A tensor in a direct buffer, outside the Java heap, as a device tensor is outside the host's reach. */
final class OffHeapTensor implements Tensor {
    final FloatBuffer data;
    private final int rows;
    private final int cols;

    OffHeapTensor(int rows, int cols) {
        this.data = ByteBuffer.allocateDirect(Math.multiplyExact(Math.multiplyExact(rows, cols), Float.BYTES))
                .order(ByteOrder.nativeOrder()).asFloatBuffer();
        this.rows = rows;
        this.cols = cols;
    }

    @Override
    public int rows() {
        return rows;
    }

    @Override
    public int cols() {
        return cols;
    }

    static FloatBuffer data(Tensor t) {
        if (t instanceof OffHeapTensor o) {
            return o.data;
        }
        throw new IllegalArgumentException("tensor " + t + " was not allocated by the off-heap platform");
    }
}
