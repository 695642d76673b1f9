package dev.prefixflow.platform.offheap;

import dev.prefixflow.platform.AttentionMetadata;
import dev.prefixflow.platform.KvPool;
import dev.prefixflow.platform.KvPoolSpec;
import dev.prefixflow.platform.LayerAttention;
import dev.prefixflow.platform.PreparedAttention;
import dev.prefixflow.platform.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;

/**
 * The paged KV cache in direct buffers, one for K and one for V per layer, laid out
 * [block][slot][kvDim], with scalar causal attention: per query row and head, scores in position
 * order, softmax, weighted sum.
 */
final class OffHeapKvPool implements KvPool {
    private final KvPoolSpec spec;
    private final FloatBuffer[] keys;
    private final FloatBuffer[] values;

    OffHeapKvPool(KvPoolSpec spec) {
        this.spec = spec;
        int perLayer = Math.multiplyExact(spec.numBlocks() * spec.blockSize(), spec.kvDim());
        this.keys = new FloatBuffer[spec.layers()];
        this.values = new FloatBuffer[spec.layers()];
        for (int l = 0; l < spec.layers(); l++) {
            keys[l] = floats(perLayer);
            values[l] = floats(perLayer);
        }
    }

    private static FloatBuffer floats(int n) {
        return ByteBuffer.allocateDirect(n * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    @Override
    public KvPoolSpec spec() {
        return spec;
    }

    @Override
    public PreparedAttention prepare(AttentionMetadata metadata) {
        return new Prepared(metadata);
    }

    @Override
    public void write(int layer, Tensor k, Tensor v, PreparedAttention step) {
        IntBuffer slots = own(step).slotMapping;
        int kvDim = spec.kvDim();
        for (int i = 0; i < slots.capacity(); i++) {
            keys[layer].put(slots.get(i) * kvDim, OffHeapTensor.data(k), i * kvDim, kvDim);
            values[layer].put(slots.get(i) * kvDim, OffHeapTensor.data(v), i * kvDim, kvDim);
        }
    }

    @Override
    public void attend(int layer, Tensor q, Tensor out, int heads, LayerAttention a, PreparedAttention step) {
        Prepared p = own(step);
        FloatBuffer qd = OffHeapTensor.data(q);
        FloatBuffer od = OffHeapTensor.data(out);
        FloatBuffer k = keys[layer];
        FloatBuffer v = values[layer];
        int headDim = spec.headDim();
        int group = heads / spec.kvHeads();
        int row = 0;
        for (int s = 0; s < p.queryLens.capacity(); s++) {
            for (int i = 0; i < p.queryLens.get(s); i++, row++) {
                int position = p.contextLens.get(s) + i;
                int first = a.firstVisible(position);
                int len = position + 1 - first;
                // Where each visible position's K/V row starts: the block table read once per query.
                int[] kvRows = new int[len];
                for (int pos = 0; pos < len; pos++) {
                    kvRows[pos] = p.slot(s, first + pos, spec.blockSize()) * spec.kvDim();
                }
                float[] scores = new float[len];
                for (int h = 0; h < heads; h++) {
                    int qo = (row * heads + h) * headDim;
                    int kvCol = (h / group) * headDim;
                    float max = Float.NEGATIVE_INFINITY;
                    for (int pos = 0; pos < len; pos++) {
                        float dot = 0;
                        for (int d = 0; d < headDim; d++) {
                            dot += qd.get(qo + d) * k.get(kvRows[pos] + kvCol + d);
                        }
                        scores[pos] = dot * a.scale();
                        if (a.softcap() > 0) {
                            scores[pos] = (float) Math.tanh(scores[pos] * (1.0f / a.softcap())) * a.softcap();
                        }
                        max = Math.max(max, scores[pos]);
                    }
                    float sum = 0;
                    for (int pos = 0; pos < len; pos++) {
                        scores[pos] = (float) Math.exp(scores[pos] - max);
                        sum += scores[pos];
                    }
                    for (int d = 0; d < headDim; d++) {
                        float acc = 0;
                        for (int pos = 0; pos < len; pos++) {
                            acc += scores[pos] / sum * v.get(kvRows[pos] + kvCol + d);
                        }
                        od.put(qo + d, acc);
                    }
                }
            }
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

    private void copyBlock(int block, float[] host, boolean toHost) {
        if (host.length != spec.floatsPerBlock()) {
            throw new IllegalArgumentException("a block holds " + spec.floatsPerBlock() + " floats, got "
                    + host.length);
        }
        int rows = spec.blockSize() * spec.kvDim();
        int at = 0;
        for (int layer = 0; layer < spec.layers(); layer++) {
            for (FloatBuffer pool : new FloatBuffer[] {keys[layer], values[layer]}) {
                if (toHost) {
                    pool.get(block * rows, host, at, rows);
                } else {
                    pool.put(block * rows, host, at, rows);
                }
                at += rows;
            }
        }
    }

    private static Prepared own(PreparedAttention step) {
        if (step instanceof Prepared p) {
            return p;
        }
        throw new IllegalArgumentException("attention metadata " + step + " was not prepared by an off-heap pool");
    }

    /** The metadata in direct buffers; block tables flattened, with each sequence's start. */
    private static final class Prepared implements PreparedAttention {
        final IntBuffer queryLens;
        final IntBuffer contextLens;
        final IntBuffer slotMapping;
        final IntBuffer tableStarts;
        final IntBuffer tables;

        Prepared(AttentionMetadata m) {
            queryLens = ints(m.queryLens());
            contextLens = ints(m.contextLens());
            slotMapping = ints(m.slotMapping());
            int[] starts = new int[m.numSequences()];
            int total = 0;
            for (int s = 0; s < starts.length; s++) {
                starts[s] = total;
                total += m.blockTables()[s].length;
            }
            tableStarts = ints(starts);
            tables = ByteBuffer.allocateDirect(total * Integer.BYTES).order(ByteOrder.nativeOrder()).asIntBuffer();
            for (int s = 0; s < starts.length; s++) {
                tables.put(starts[s], m.blockTables()[s]);
            }
        }

        private static IntBuffer ints(int[] host) {
            return new OffHeapIntTensor(host).data;
        }

        /** The pool slot of sequence s's position pos. */
        int slot(int s, int pos, int blockSize) {
            return tables.get(tableStarts.get(s) + pos / blockSize) * blockSize + pos % blockSize;
        }

        @Override
        public int numSequences() {
            return queryLens.capacity();
        }

        @Override
        public int numTokens() {
            return slotMapping.capacity();
        }
    }
}
