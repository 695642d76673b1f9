package dev.prefixflow.cpu;

import dev.prefixflow.platform.AttentionMetadata;
import dev.prefixflow.platform.KvPool;
import dev.prefixflow.platform.KvPoolSpec;
import dev.prefixflow.platform.LayerAttention;
import dev.prefixflow.platform.PreparedAttention;
import dev.prefixflow.platform.Tensor;

/**
 * The paged KV cache in heap float arrays, one for K and one for V per layer. V is laid out
 * [block][slot][kvDim] (slot s starts at s * kvDim), K [block][kvDim][slot]: value c of slot o of
 * block b at (b * kvDim + c) * blockSize + o, so that a vector load reads one dimension of
 * consecutive positions and a query's scores come out one position per lane, with no reduction
 * across lanes ({@link PagedAttention}).
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
    public PreparedAttention prepare(AttentionMetadata metadata) {
        int[][] tables = new int[metadata.numSequences()][];
        for (int s = 0; s < tables.length; s++) {
            tables[s] = metadata.blockTables()[s].clone();
        }
        return new CpuAttentionMetadata(new AttentionMetadata(metadata.queryLens().clone(),
                metadata.contextLens().clone(), tables, metadata.slotMapping().clone()));
    }

    @Override
    public void write(int layer, Tensor k, Tensor v, PreparedAttention step) {
        int[] slots = own(step).slotMapping();
        int kvDim = spec.kvDim();
        float[] kd = CpuTensor.data(k);
        float[] vd = CpuTensor.data(v);
        float[] kl = keys[layer];
        float[] vl = values[layer];
        int blockSize = spec.blockSize();
        for (int i = 0; i < slots.length; i++) {
            int src = i * kvDim;
            System.arraycopy(vd, src, vl, slots[i] * kvDim, kvDim);
            int key = slots[i] / blockSize * blockSize * kvDim + slots[i] % blockSize;
            for (int c = 0; c < kvDim; c++) {
                kl[key + c * blockSize] = kd[src + c];
            }
        }
    }

    /** Each sequence's query rows in turn: a row's result does not depend on the others. */
    @Override
    public void attend(int layer, Tensor q, Tensor out, int heads, LayerAttention a, PreparedAttention step) {
        AttentionMetadata m = own(step);
        float[] qd = CpuTensor.data(q);
        float[] od = CpuTensor.data(out);
        int start = 0;
        for (int s = 0; s < m.numSequences(); s++) {
            attention.attend(keys[layer], values[layer], qd, od, start, m.queryLens()[s], heads, m.contextLens()[s],
                    m.blockTables()[s], a);
            start += m.queryLens()[s];
        }
    }

    private static AttentionMetadata own(PreparedAttention step) {
        if (step instanceof CpuAttentionMetadata c) {
            return c.metadata();
        }
        throw new IllegalArgumentException("attention metadata " + step + " was not prepared by a cpu KV pool");
    }

    /** The platform's copy of a step's metadata: heap arrays of its own. */
    private record CpuAttentionMetadata(AttentionMetadata metadata) implements PreparedAttention {
        @Override
        public int numSequences() {
            return metadata.numSequences();
        }

        @Override
        public int numTokens() {
            return metadata.numTokens();
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

    /**
     * One copy routine for both directions, so the layout cannot drift between them. The host
     * format has K in slot order, as V, so K is transposed on the way.
     */
    private void copyBlock(int block, float[] host, boolean toHost) {
        if (host.length != spec.floatsPerBlock()) {
            throw new IllegalArgumentException("a block holds " + spec.floatsPerBlock() + " floats, got " + host.length);
        }
        int blockSize = spec.blockSize();
        int kvDim = spec.kvDim();
        int rows = blockSize * kvDim;
        int start = block * rows;
        int at = 0;
        for (int layer = 0; layer < spec.layers(); layer++) {
            float[] k = keys[layer];
            for (int o = 0; o < blockSize; o++) {
                for (int c = 0; c < kvDim; c++) {
                    int pool = start + c * blockSize + o;
                    int h = at + o * kvDim + c;
                    if (toHost) {
                        host[h] = k[pool];
                    } else {
                        k[pool] = host[h];
                    }
                }
            }
            at += rows;
            if (toHost) {
                System.arraycopy(values[layer], start, host, at, rows);
            } else {
                System.arraycopy(host, at, values[layer], start, rows);
            }
            at += rows;
        }
    }
}
