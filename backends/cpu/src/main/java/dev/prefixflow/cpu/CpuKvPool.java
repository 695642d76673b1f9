package dev.prefixflow.cpu;

import dev.prefixflow.platform.KvPool;
import dev.prefixflow.platform.KvPoolSpec;

/**
 * The paged KV cache in heap float arrays, one for K and one for V per layer, laid out
 * [block][slot][kvDim]: slot s of the pool starts at s * kvDim.
 */
final class CpuKvPool implements KvPool {

    private final KvPoolSpec spec;
    private final float[][] keys;
    private final float[][] values;
    private final PagedAttention attention;

    CpuKvPool(KvPoolSpec spec, CpuThreadPool pool) {
        long perLayer = (long) spec.numBlocks() * spec.blockSize() * spec.kvDim();
        if (perLayer > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("KV pool " + spec + " needs " + perLayer
                    + " floats per layer, more than one heap array holds; use fewer blocks");
        }
        this.spec = spec;
        this.keys = new float[spec.layers()][(int) perLayer];
        this.values = new float[spec.layers()][(int) perLayer];
        this.attention = new PagedAttention(spec, pool);
    }

    @Override
    public KvPoolSpec spec() {
        return spec;
    }

    @Override
    public void write(int layer, float[] k, float[] v, int rowOffset, int n, int[] slots, int slotOffset) {
        int kvDim = spec.kvDim();
        float[] kl = keys[layer];
        float[] vl = values[layer];
        for (int i = 0; i < n; i++) {
            int src = (rowOffset + i) * kvDim;
            int dst = slots[slotOffset + i] * kvDim;
            System.arraycopy(k, src, kl, dst, kvDim);
            System.arraycopy(v, src, vl, dst, kvDim);
        }
    }

    @Override
    public void readBlock(int block, float[] out) {
        copyBlock(block, out, true);
    }

    @Override
    public void writeBlock(int block, float[] data) {
        copyBlock(block, data, false);
    }

    /** One copy routine for both directions, so the layout cannot drift between them. */
    private void copyBlock(int block, float[] host, boolean toHost) {
        if (host.length != spec.floatsPerBlock()) {
            throw new IllegalArgumentException("a block holds " + spec.floatsPerBlock() + " floats, got " + host.length);
        }
        int rows = spec.blockSize() * spec.kvDim();
        int start = block * rows;
        int at = 0;
        for (int layer = 0; layer < spec.layers(); layer++) {
            for (float[] pool : new float[][] {keys[layer], values[layer]}) {
                if (toHost) {
                    System.arraycopy(pool, start, host, at, rows);
                } else {
                    System.arraycopy(host, at, pool, start, rows);
                }
                at += rows;
            }
        }
    }

    @Override
    public void attend(int layer, float[] q, float[] out, int rowOffset, int n, int heads, int firstPosition,
                       int[] blockTable, float scale) {
        attention.attend(keys[layer], values[layer], q, out, rowOffset, n, heads, firstPosition, blockTable, scale);
    }
}
