package dev.prefixflow.conformance;

import dev.prefixflow.gguf.GgmlType;
import dev.prefixflow.gguf.TensorData;
import dev.prefixflow.platform.AttentionBackend;
import dev.prefixflow.platform.AttentionMetadata;
import dev.prefixflow.platform.IntTensor;
import dev.prefixflow.platform.Kernels;
import dev.prefixflow.platform.KvPool;
import dev.prefixflow.platform.KvPoolSpec;
import dev.prefixflow.platform.LayerAttention;
import dev.prefixflow.platform.LayerHook;
import dev.prefixflow.platform.MemoryInfo;
import dev.prefixflow.platform.Platform;
import dev.prefixflow.platform.PlatformCapabilities;
import dev.prefixflow.platform.PreparedAttention;
import dev.prefixflow.platform.Tensor;
import dev.prefixflow.platform.Weight;
import java.util.List;

/**
 * Any platform, with every host-platform transfer counted: the SPI's copy methods ({@code
 * Kernels.copyIn/copyOut}, {@code KvPool.prepare/readBlock/writeBlock}) and the bytes they move.
 * Tensors pass through untouched, so the counted platform computes exactly as the wrapped one.
 */
public final class CountingPlatform implements Platform {
    private final Platform inner;
    private final Kernels kernels;
    private long copies;
    private long bytes;

    public CountingPlatform(Platform inner) {
        this.inner = inner;
        this.kernels = new CountingKernels(inner.kernels());
    }

    /** Transfers since the last {@link #reset}. */
    public long copies() {
        return copies;
    }

    /** Bytes moved by those transfers. */
    public long bytes() {
        return bytes;
    }

    public void reset() {
        copies = 0;
        bytes = 0;
    }

    private void count(long n) {
        copies++;
        bytes += n;
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public boolean isAvailable() {
        return inner.isAvailable();
    }

    @Override
    public int priority() {
        return inner.priority();
    }

    @Override
    public PlatformCapabilities capabilities() {
        return inner.capabilities();
    }

    @Override
    public MemoryInfo memoryInfo() {
        return inner.memoryInfo();
    }

    @Override
    public Kernels kernels() {
        return kernels;
    }

    @Override
    public List<AttentionBackend> attentionBackends() {
        return inner.attentionBackends().stream().<AttentionBackend>map(CountingBackend::new).toList();
    }

    @Override
    public LayerHook layerHook() {
        return inner.layerHook();
    }

    private final class CountingBackend implements AttentionBackend {
        private final AttentionBackend backend;

        CountingBackend(AttentionBackend backend) {
            this.backend = backend;
        }

        @Override
        public String getName() {
            return backend.getName();
        }

        @Override
        public boolean supports(int headSize, GgmlType kvDtype) {
            return backend.supports(headSize, kvDtype);
        }

        @Override
        public KvPool allocate(KvPoolSpec spec) {
            return new CountingPool(backend.allocate(spec));
        }
    }

    private final class CountingPool implements KvPool {
        private final KvPool pool;

        CountingPool(KvPool pool) {
            this.pool = pool;
        }

        @Override
        public KvPoolSpec spec() {
            return pool.spec();
        }

        @Override
        public PreparedAttention prepare(AttentionMetadata m) {
            long ints = 2L * m.numSequences() + m.numTokens();
            for (int[] table : m.blockTables()) {
                ints += table.length;
            }
            count(ints * Integer.BYTES);
            return pool.prepare(m);
        }

        @Override
        public void write(int layer, Tensor k, Tensor v, PreparedAttention step) {
            pool.write(layer, k, v, step);
        }

        @Override
        public void attend(int layer, Tensor q, Tensor out, int heads, LayerAttention a, PreparedAttention step) {
            pool.attend(layer, q, out, heads, a, step);
        }

        @Override
        public void readBlock(int block, float[] out) {
            count((long) out.length * Float.BYTES);
            pool.readBlock(block, out);
        }

        @Override
        public void writeBlock(int block, float[] data) {
            count((long) data.length * Float.BYTES);
            pool.writeBlock(block, data);
        }
    }

    private final class CountingKernels implements Kernels {
        private final Kernels k;

        CountingKernels(Kernels k) {
            this.k = k;
        }

        @Override
        public Tensor copyIn(float[] host, int rows, int cols) {
            count((long) host.length * Float.BYTES);
            return k.copyIn(host, rows, cols);
        }

        @Override
        public IntTensor copyIn(int[] host) {
            count((long) host.length * Integer.BYTES);
            return k.copyIn(host);
        }

        @Override
        public void copyOut(Tensor src, int row, float[] dst) {
            count((long) src.cols() * Float.BYTES);
            k.copyOut(src, row, dst);
        }

        @Override
        public Weight upload(TensorData tensor) {
            return k.upload(tensor);
        }

        @Override
        public Tensor allocate(int rows, int cols) {
            return k.allocate(rows, cols);
        }

        @Override
        public void embed(Weight table, IntTensor tokens, Tensor out) {
            k.embed(table, tokens, out);
        }

        @Override
        public void matmul(Weight w, Tensor x, Tensor out) {
            k.matmul(w, x, out);
        }

        @Override
        public void rmsNorm(Tensor x, Tensor weight, Tensor out, float eps) {
            k.rmsNorm(x, weight, out, eps);
        }

        @Override
        public void swiglu(Tensor gate, Tensor up) {
            k.swiglu(gate, up);
        }

        @Override
        public void rmsNormHeads(Tensor x, Tensor weight, int headDim, float eps) {
            k.rmsNormHeads(x, weight, headDim, eps);
        }

        @Override
        public void geglu(Tensor gate, Tensor up) {
            k.geglu(gate, up);
        }

        @Override
        public void scale(Tensor x, float factor) {
            k.scale(x, factor);
        }

        @Override
        public void softcap(Tensor x, float cap) {
            k.softcap(x, cap);
        }

        @Override
        public void add(Tensor acc, Tensor x) {
            k.add(acc, x);
        }

        @Override
        public void addBias(Tensor x, Tensor bias) {
            k.addBias(x, bias);
        }

        @Override
        public void rope(Tensor x, int heads, int headDim, int ropeDims, IntTensor positions, Tensor cos, Tensor sin,
                         boolean neox) {
            k.rope(x, heads, headDim, ropeDims, positions, cos, sin, neox);
        }

        @Override
        public void gatherRows(Tensor x, IntTensor rows, Tensor out) {
            k.gatherRows(x, rows, out);
        }

        @Override
        public void addRowsScaled(Tensor delta, float scale, IntTensor rows, Tensor out) {
            k.addRowsScaled(delta, scale, rows, out);
        }
    }
}
