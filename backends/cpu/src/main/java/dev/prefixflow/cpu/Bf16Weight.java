package dev.prefixflow.cpu;

import dev.prefixflow.gguf.GgmlType;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * BF16 weights as their 16-bit patterns, the top half of a float's bits, for matrices {@link
 * HalfPairWeight} cannot take: rows that are not whole runs of 2 L halves, or an infinity or NaN.
 */
final class Bf16Weight extends CpuWeight {

    private final short[] data;

    Bf16Weight(String name, int rows, int cols, short[] data) {
        super(name, GgmlType.BF16, rows, cols);
        this.data = data;
    }

    @Override
    void decodeRow(int row, float[] dst, int off) {
        int cols = cols();
        int base = row * cols;
        int end = cols - cols % L;
        for (int i = 0; i < end; i += L) {
            IntVector h = (IntVector) ShortVector.fromArray(Vectors.S, data, base + i).castShape(Vectors.I, 0);
            h.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().intoArray(dst, off + i);
        }
        for (int i = end; i < cols; i++) {
            dst[off + i] = Float.intBitsToFloat((data[base + i] & 0xFFFF) << 16);
        }
    }

    @Override
    long bytes() {
        return (long) data.length * Short.BYTES;
    }
}
