package dev.prefixflow.cpu;

import dev.prefixflow.gguf.Half;
import java.nio.ByteBuffer;

/**
 * The layout of the simple block-quantized types (Q8_0, Q4_0) on the CPU: rows in groups of
 * {@link #ROWS}, and within a group the four rows' blocks interleaved column block by column block
 * (block b of rows 0, 1, 2, 3, then block b + 1 ...). A single-token product of a group then reads
 * one sequential stream instead of four short ones; with rows of 2048 weights the four streams,
 * each only 2 KB long, kept the hardware prefetcher from reaching full bandwidth. A last, short
 * group is padded with zero rows.
 */
final class RowGroups {

    static final int ROWS = 4;

    private RowGroups() {
    }

    static int groups(int rows) {
        return (rows + ROWS - 1) / ROWS;
    }

    /** Index of block {@code block} of row {@code row}, counted in blocks, in the interleaved order. */
    static int blockIndex(int row, int block, int blocksPerRow) {
        return ((row / ROWS * blocksPerRow) + block) * ROWS + row % ROWS;
    }

    /** A weight's interleaved quant bytes and float block scales. */
    record Unpacked(byte[] quants, float[] scales) {
    }

    /**
     * Splits ggml blocks of 32 weights (a half scale, then {@code payload} quant bytes) into
     * interleaved quants and float scales; {@code padded} is the element count of the whole groups.
     */
    static Unpacked unpack(ByteBuffer ggml, int rows, int cols, int payload, int padded) {
        byte[] quants = new byte[padded / 32 * payload];
        float[] scales = new float[padded / 32];
        int blocksPerRow = cols / 32;
        int stride = 2 + payload;
        for (int r = 0; r < rows; r++) {
            for (int b = 0; b < blocksPerRow; b++) {
                int src = (r * blocksPerRow + b) * stride;
                int dst = blockIndex(r, b, blocksPerRow);
                scales[dst] = Half.toFloat(ggml.getShort(src));
                ggml.get(src + 2, quants, dst * payload, payload);
            }
        }
        return new Unpacked(quants, scales);
    }
}
