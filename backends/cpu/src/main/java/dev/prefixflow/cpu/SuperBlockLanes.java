package dev.prefixflow.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;

/**
 * The column order of the K-quant kernels. A K-quant super-block of 256 columns has one scale (and
 * min) per sub-block of 16 or 32 columns; in ggml's order every vector of weights lies in one
 * sub-block, so a kernel would broadcast a new scale every vector or two. Here the super-block is
 * read as {@link #V} vectors (positions) whose lane l holds columns of the same sub-blocks at every
 * position of a segment, so one scale vector per segment (per super-block on 256- and 512-bit
 * vectors) serves all of them. The tokens are reordered the same way once per matmul call; a dot
 * product is a sum over columns, so the order changes only which products are added first.
 */
final class SuperBlockLanes {

    static final int SIZE = 256;
    static final int L = Vectors.L;
    /** Vectors (positions) per super-block. */
    static final int V = SIZE / L;

    private final int sub;
    /** Positions per segment: within one, every lane stays in its sub-block. */
    private final int segment;
    private final VectorShuffle<Float> spread;
    /** column(p, l) at p * L + l. */
    private final int[] columns = new int[SIZE];

    /** The order for sub-blocks of {@code sub} columns. */
    SuperBlockLanes(int sub) {
        this.sub = sub;
        this.segment = Math.min(V, sub);
        this.spread = VectorShuffle.fromOp(Vectors.F, l -> l * segment / sub);
        for (int i = 0; i < SIZE; i++) {
            columns[i] = column(i / L, i % L);
        }
    }

    int segment() {
        return segment;
    }

    int segments() {
        return V / segment;
    }

    /** The super-block column at position p, lane l. */
    int column(int p, int l) {
        return (p / segment * L + l) * segment + p % segment;
    }

    /** The first sub-block of segment g (that of its lane 0). */
    int firstSubBlock(int g) {
        return g * L * segment / sub;
    }

    /**
     * Lane l of the result is the value of lane l's sub-block, given {@code perSubBlock} with the
     * value of sub-block {@code firstSubBlock(g) + j} in lane j.
     */
    FloatVector spread(FloatVector perSubBlock) {
        return perSubBlock.rearrange(spread);
    }

    /** dst[to + p * L + l] = x[from + column(p, l)] per super-block, for one token of {@code cols} columns. */
    void reorder(float[] x, int from, int cols, float[] dst, int to) {
        for (int base = 0; base < cols; base += SIZE) {
            for (int i = 0; i < SIZE; i++) {
                dst[to + base + i] = x[from + base + columns[i]];
            }
        }
    }
}
