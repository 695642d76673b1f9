package dev.prefixflow.cpu;

import static dev.prefixflow.cpu.CpuTensor.data;

import dev.prefixflow.gguf.TensorData;
import dev.prefixflow.platform.IntTensor;
import dev.prefixflow.platform.Kernels;
import dev.prefixflow.platform.Tensor;
import dev.prefixflow.platform.Weight;

/**
 * The CPU kernels: Vector API code over heap arrays, matmul spread over a shared thread pool. The
 * platform's tensors are those heap arrays, so the tensor methods hand them straight to the array
 * kernels below, which tests and benchmarks also call directly.
 */
public final class CpuKernels implements Kernels {

    /**
     * Rough cost of an element of swiglu and geglu (an exp and a division; a scalar Math.tanh), in
     * multiply-adds. On the calling thread alone, swiglu with Math.exp took about 7% of a 512-token
     * prefill of a 1B model.
     */
    private static final int GATE_WORK = 16;

    private final CpuThreadPool pool;
    private final MatMul matMul;

    CpuKernels(CpuThreadPool pool) {
        this.pool = pool;
        this.matMul = new MatMul(pool);
    }

    @Override
    public Weight upload(TensorData tensor) {
        return WeightPacker.pack(tensor);
    }

    @Override
    public Tensor allocate(int rows, int cols) {
        return new CpuTensor(new float[Math.multiplyExact(rows, cols)], rows, cols);
    }

    @Override
    public Tensor copyIn(float[] host, int rows, int cols) {
        return new CpuTensor(host.clone(), rows, cols);
    }

    @Override
    public IntTensor copyIn(int[] host) {
        return new CpuIntTensor(host.clone());
    }

    @Override
    public void copyOut(Tensor src, int row, float[] dst) {
        System.arraycopy(data(src), row * src.cols(), dst, 0, src.cols());
    }

    @Override
    public void embed(Weight table, IntTensor tokens, Tensor out) {
        int[] ids = CpuIntTensor.data(tokens);
        float[] o = data(out);
        for (int t = 0; t < ids.length; t++) {
            dequantizeRow(table, ids[t], o, t * out.cols());
        }
    }

    @Override
    public void matmul(Weight w, Tensor x, Tensor out) {
        matmul(w, data(x), data(out), x.rows());
    }

    @Override
    public void rmsNorm(Tensor x, Tensor weight, Tensor out, float eps) {
        rmsNorm(data(x), data(weight), data(out), x.rows(), x.cols(), eps);
    }

    @Override
    public void swiglu(Tensor gate, Tensor up) {
        swiglu(data(gate), data(up), gate.rows() * gate.cols());
    }

    @Override
    public void rmsNormHeads(Tensor x, Tensor weight, int headDim, float eps) {
        float[] d = data(x);
        // Each head is a row of its own; a head's values are read before any is written, so in place is fine.
        RmsNorm.apply(d, data(weight), d, x.rows() * x.cols() / headDim, headDim, eps);
    }

    @Override
    public void geglu(Tensor gate, Tensor up) {
        float[] g = data(gate);
        float[] u = data(up);
        int size = gate.rows() * gate.cols();
        pool.parallelFor(size, Vectors.L, (long) size * GATE_WORK, (from, to) -> Elementwise.geglu(g, u, from, to));
    }

    @Override
    public void scale(Tensor x, float factor) {
        Elementwise.scale(data(x), x.rows() * x.cols(), factor);
    }

    @Override
    public void softcap(Tensor x, float cap) {
        Elementwise.softcap(data(x), 0, x.rows() * x.cols(), cap);
    }

    @Override
    public void add(Tensor acc, Tensor x) {
        add(data(acc), data(x), acc.rows() * acc.cols());
    }

    @Override
    public void addBias(Tensor x, Tensor bias) {
        float[] rows = data(x);
        float[] b = data(bias);
        for (int t = 0; t < x.rows(); t++) {
            int base = t * b.length;
            for (int i = 0; i < b.length; i++) {
                rows[base + i] += b[i];
            }
        }
    }

    @Override
    public void rope(Tensor x, int heads, int headDim, int ropeDims, IntTensor positions, Tensor cos, Tensor sin,
                     boolean neox) {
        rope(data(x), x.rows(), heads, headDim, ropeDims, CpuIntTensor.data(positions), 0, data(cos), data(sin),
                neox);
    }

    @Override
    public void gatherRows(Tensor x, IntTensor rows, Tensor out) {
        int[] r = CpuIntTensor.data(rows);
        float[] from = data(x);
        float[] to = data(out);
        int cols = x.cols();
        for (int i = 0; i < r.length; i++) {
            System.arraycopy(from, r[i] * cols, to, i * cols, cols);
        }
    }

    @Override
    public void addRowsScaled(Tensor delta, float scale, IntTensor rows, Tensor out) {
        int[] r = CpuIntTensor.data(rows);
        float[] d = data(delta);
        float[] o = data(out);
        int cols = delta.cols();
        for (int i = 0; i < r.length; i++) {
            int to = r[i] * cols;
            int from = i * cols;
            for (int j = 0; j < cols; j++) {
                o[to + j] += scale * d[from + j];
            }
        }
    }

    /** out[t * w.rows() + r] = dot(row r of w, x[t * w.cols() ...]) for every token t < n. */
    void matmul(Weight w, float[] x, float[] out, int n) {
        matMul.run(own(w), x, out, n);
    }

    /** Copies row {@code row} of {@code w}, dequantized, into out[outOffset ...]. */
    void dequantizeRow(Weight w, int row, float[] out, int outOffset) {
        CpuWeight cw = own(w);
        if (row < 0 || row >= cw.rows()) {
            throw new IndexOutOfBoundsException("Row " + row + " of " + cw);
        }
        cw.decodeRow(row, out, outOffset);
    }

    void rmsNorm(float[] x, float[] weight, float[] out, int n, int size, float eps) {
        RmsNorm.apply(x, weight, out, n, size, eps);
    }

    void swiglu(float[] gate, float[] up, int size) {
        pool.parallelFor(size, Vectors.L, (long) size * GATE_WORK, (from, to) -> Elementwise.swiglu(gate, up, from, to));
    }

    void add(float[] acc, float[] x, int size) {
        Elementwise.add(acc, x, size);
    }

    void rope(float[] x, int n, int heads, int headDim, int ropeDims, int[] positions, int positionOffset,
              float[] cos, float[] sin, boolean neox) {
        Rope.apply(x, n, heads, headDim, ropeDims, positions, positionOffset, cos, sin, neox);
    }

    private static CpuWeight own(Weight w) {
        if (w instanceof CpuWeight cw) {
            return cw;
        }
        throw new IllegalArgumentException("Weight " + w.name() + " was not uploaded by the cpu platform");
    }
}
