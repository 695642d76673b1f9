package dev.prefixflow.cpu;

import dev.prefixflow.gguf.GgmlType;
import dev.prefixflow.gguf.TensorData;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Copies a tensor's ggml bytes into the heap arrays of a {@link CpuWeight}, still quantized. */
final class WeightPacker {

    private WeightPacker() {
    }

    static CpuWeight pack(TensorData t) {
        GgmlType type = t.type();
        int rows = t.rows();
        int cols = t.cols();
        if (cols % type.blockSize() != 0) {
            throw new IllegalArgumentException("Tensor " + t.name() + " of type " + type + " has " + cols
                    + " columns, not a multiple of the block size " + type.blockSize());
        }
        ByteBuffer b = t.data().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int elements = arrayLength(t, (long) rows * cols);
        return switch (type) {
            case F32 -> {
                float[] data = new float[elements];
                b.asFloatBuffer().get(data);
                yield new F32Weight(t.name(), rows, cols, data);
            }
            case F16, BF16 -> HalfPairWeight.pack(t.name(), type, rows, cols, shorts(b, elements));
            case Q8_0 -> new Q8_0Weight(t.name(), rows, cols, RowGroups.unpack(b, rows, cols, 32, paddedLength(t)));
            case Q4_0 -> new Q4_0Weight(t.name(), rows, cols, RowGroups.unpack(b, rows, cols, 16, paddedLength(t)));
            case Q4_K -> new Q4_KWeight(t.name(), rows, cols, b);
            case Q6_K -> new Q6_KWeight(t.name(), rows, cols, b);
            default -> throw new IllegalArgumentException(
                    "The cpu platform cannot compute with tensor " + t.name() + " of type " + type);
        };
    }

    private static short[] shorts(ByteBuffer b, int elements) {
        short[] data = new short[elements];
        b.asShortBuffer().get(data);
        return data;
    }

    /** Elements of the tensor padded to whole row groups. */
    private static int paddedLength(TensorData t) {
        return arrayLength(t, (long) RowGroups.groups(t.rows()) * RowGroups.ROWS * t.cols());
    }

    // Java arrays hold at most Integer.MAX_VALUE - 8 elements on HotSpot.
    private static int arrayLength(TensorData t, long length) {
        if (length > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("Tensor " + t.name() + " of type " + t.type()
                    + " is too large for one heap array: " + length + " elements");
        }
        return (int) length;
    }
}
