package dev.prefixflow.cpu;

import dev.prefixflow.gguf.GgmlType;
import dev.prefixflow.gguf.Half;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * F16 weights as their 16-bit patterns, for matrices {@link HalfPairWeight} cannot take: rows that
 * are not whole runs of 2 L halves, or an infinity or NaN among the weights.
 */
final class F16Weight extends CpuWeight {

    private final short[] data;

    F16Weight(String name, int rows, int cols, short[] data) {
        super(name, GgmlType.F16, rows, cols);
        this.data = data;
    }

    @Override
    void decodeRow(int row, float[] dst, int off) {
        int cols = cols();
        int base = row * cols;
        int end = cols - cols % L;
        for (int i = 0; i < end; i += L) {
            IntVector h = (IntVector) ShortVector.fromArray(Vectors.S, data, base + i).castShape(Vectors.I, 0);
            // Moving exponent and mantissa into float position and scaling by 2^(127-15) converts
            // normal and subnormal halves exactly; infinities and NaNs get the float's top exponent.
            IntVector magnitude = h.and(0x7FFF).lanewise(VectorOperators.LSHL, 13);
            VectorMask<Integer> special = h.and(0x7C00).compare(VectorOperators.EQ, 0x7C00);
            magnitude = magnitude.blend(magnitude.or(0x7F800000), special);
            FloatVector f = magnitude.reinterpretAsFloats().mul(0x1p112f);
            IntVector sign = h.and(0x8000).lanewise(VectorOperators.LSHL, 16);
            f.reinterpretAsInts().or(sign).reinterpretAsFloats().intoArray(dst, off + i);
        }
        for (int i = end; i < cols; i++) {
            dst[off + i] = Half.toFloat(data[base + i]);
        }
    }

    @Override
    long bytes() {
        return (long) data.length * Short.BYTES;
    }
}
