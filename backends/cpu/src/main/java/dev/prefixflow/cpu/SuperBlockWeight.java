package dev.prefixflow.cpu;

import dev.prefixflow.gguf.GgmlType;

/**
 * K-quant weights kept as ggml's 256-weight super-blocks, byte for byte as stored: a row is its
 * super-blocks in order, each decoded on its own.
 */
abstract class SuperBlockWeight extends CpuWeight {
    protected final byte[] blocks;
    private final int blockBytes;

    SuperBlockWeight(String name, GgmlType type, int rows, int cols, byte[] blocks) {
        super(name, type, rows, cols);
        this.blocks = blocks;
        this.blockBytes = type.typeSize();
    }

    @Override
    final void decodeRow(int row, float[] dst, int off) {
        int superBlocks = cols() / 256;
        int p = row * superBlocks * blockBytes;
        for (int k = 0; k < superBlocks; k++, p += blockBytes, off += 256) {
            decodeBlock(p, dst, off);
        }
    }

    /** Decodes the 256 weights of the super-block at byte {@code p} into dst[off ...]. */
    abstract void decodeBlock(int p, float[] dst, int off);

    /** The little-endian 16-bit value at byte {@code p}. */
    final short shortAt(int p) {
        return (short) ((blocks[p] & 0xFF) | (blocks[p + 1] << 8));
    }

    @Override
    final long bytes() {
        return blocks.length;
    }
}
