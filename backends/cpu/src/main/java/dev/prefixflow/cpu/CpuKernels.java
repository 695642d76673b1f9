package dev.prefixflow.cpu;

import dev.prefixflow.gguf.TensorData;
import dev.prefixflow.platform.Kernels;
import dev.prefixflow.platform.Weight;

/** The CPU kernels: Vector API code over heap arrays, matmul spread over a shared thread pool. */
public final class CpuKernels implements Kernels {

    private final MatMul matMul;

    CpuKernels(CpuThreadPool pool) {
        this.matMul = new MatMul(pool);
    }

    @Override
    public Weight upload(TensorData tensor) {
        return WeightPacker.pack(tensor);
    }

    @Override
    public void matmul(Weight w, float[] x, float[] out, int n) {
        matMul.run(own(w), x, out, n);
    }

    @Override
    public void dequantizeRow(Weight w, int row, float[] out, int outOffset) {
        CpuWeight cw = own(w);
        if (row < 0 || row >= cw.rows()) {
            throw new IndexOutOfBoundsException("Row " + row + " of " + cw);
        }
        cw.decodeRow(row, out, outOffset);
    }

    @Override
    public void rmsNorm(float[] x, float[] weight, float[] out, int n, int size, float eps) {
        RmsNorm.apply(x, weight, out, n, size, eps);
    }

    @Override
    public void swiglu(float[] gate, float[] up, int size) {
        Elementwise.swiglu(gate, up, size);
    }

    @Override
    public void add(float[] acc, float[] x, int size) {
        Elementwise.add(acc, x, size);
    }

    @Override
    public void rope(float[] x, int n, int heads, int headDim, int ropeDims, int[] positions, int positionOffset,
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
