package dev.prefixflow.cpu;

import dev.prefixflow.gguf.GgmlType;
import jdk.incubator.vector.FloatVector;

/**
 * A simple block-quantized weight (Q8_0, Q4_0) in {@link RowGroups} order: its quant bytes and one
 * float scale per 32-weight block, so a scale needs no half conversion per use. Subclasses read the
 * quants of their own type.
 */
abstract class RowGroupWeight extends CpuWeight implements RowDot {

    protected final byte[] quants;
    private final float[] scales;

    RowGroupWeight(String name, GgmlType type, int rows, int cols, RowGroups.Unpacked unpacked) {
        super(name, type, rows, cols);
        this.quants = unpacked.quants();
        this.scales = unpacked.scales();
    }

    /**
     * Block s's scale as a vector: broadcast once per block and passed to the multiply, since
     * mul(float) broadcasts on every use.
     */
    final FloatVector scale(int s) {
        return FloatVector.broadcast(Vectors.F, scales[s]);
    }

    @Override
    final long bytes() {
        return quants.length + (long) scales.length * Float.BYTES;
    }
}
