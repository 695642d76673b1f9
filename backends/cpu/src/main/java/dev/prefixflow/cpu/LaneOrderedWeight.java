package dev.prefixflow.cpu;

import dev.prefixflow.gguf.GgmlType;
import dev.prefixflow.gguf.Half;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * A K-quant weight repacked at load: super-blocks in {@link RowGroups} order (super-block s of the
 * group's four rows one after another, so a single-token product reads one sequential stream) and
 * each super-block's quants in {@link SuperBlockLanes} order. The matmul kernels take the tokens in
 * that order too ({@link #reorder}) and never write the weights to memory on the single-token path.
 * {@link #decodeRow} still gives ggml's dequantized row in ggml's column order.
 */
abstract class LaneOrderedWeight extends CpuWeight implements RowDot {

    static final int SIZE = SuperBlockLanes.SIZE;
    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class,
            ByteOrder.LITTLE_ENDIAN);

    protected final byte[] blocks;
    protected final int blockBytes;
    protected final SuperBlockLanes lanes;

    LaneOrderedWeight(String name, GgmlType type, int rows, int cols, int blockBytes, int subBlock) {
        super(name, type, rows, cols);
        this.blockBytes = blockBytes;
        this.lanes = new SuperBlockLanes(subBlock);
        this.blocks = new byte[Math.multiplyExact(RowGroups.groups(rows) * RowGroups.ROWS * (cols / SIZE),
                blockBytes)];
    }

    /** Byte offset of super-block s of row r. */
    final int offset(int r, int s) {
        return ((r / RowGroups.ROWS * (cols() / SIZE) + s) * RowGroups.ROWS + r % RowGroups.ROWS) * blockBytes;
    }

    /** The half at byte p, as a float. */
    final float half(int p) {
        return Half.toFloat((short) SHORT.get(blocks, p));
    }

    final void putHalf(int p, short h) {
        SHORT.set(blocks, p, h);
    }

    /** Floats per token in the order the matmul kernels take: {@link #tokenStride} apart. */
    int tokenStride() {
        return cols();
    }

    /** Writes tokens [from, to) in this weight's column order, as the matmul kernels take them. */
    void reorder(float[] x, int from, int to, float[] dst) {
        for (int t = from; t < to; t++) {
            lanes.reorder(x, t * cols(), cols(), dst, t * cols());
        }
    }

    @Override
    long bytes() {
        return blocks.length;
    }
}
