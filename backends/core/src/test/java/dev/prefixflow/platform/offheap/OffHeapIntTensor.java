package dev.prefixflow.platform.offheap;

import dev.prefixflow.platform.IntTensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;

/** Ints in a direct buffer. */
final class OffHeapIntTensor implements IntTensor {
    final IntBuffer data;

    OffHeapIntTensor(int[] host) {
        this.data = ByteBuffer.allocateDirect(Math.multiplyExact(host.length, Integer.BYTES))
                .order(ByteOrder.nativeOrder()).asIntBuffer();
        data.put(0, host);
    }

    @Override
    public int length() {
        return data.capacity();
    }

    static IntBuffer data(IntTensor t) {
        if (t instanceof OffHeapIntTensor o) {
            return o.data;
        }
        throw new IllegalArgumentException("int tensor " + t + " was not allocated by the off-heap platform");
    }
}
