package dev.prefixflow.platform.offheap;

import static dev.prefixflow.platform.offheap.OffHeapTensor.data;

import dev.prefixflow.gguf.TensorData;
import dev.prefixflow.platform.IntTensor;
import dev.prefixflow.platform.Kernels;
import dev.prefixflow.platform.Tensor;
import dev.prefixflow.platform.Weight;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;

/**
 * Scalar kernels over direct buffers: plain loops in index order, one row at a time, so a row's
 * result never depends on the other rows of the call. This platform proves the SPI, not speed.
 */
final class OffHeapKernels implements Kernels {

    @Override
    public Weight upload(TensorData tensor) {
        return new OffHeapWeight(tensor);
    }

    @Override
    public Tensor allocate(int rows, int cols) {
        return new OffHeapTensor(rows, cols);
    }

    @Override
    public Tensor copyIn(float[] host, int rows, int cols) {
        if (host.length != (long) rows * cols) {
            throw new IllegalArgumentException(host.length + " floats are not " + rows + " rows of " + cols);
        }
        OffHeapTensor t = new OffHeapTensor(rows, cols);
        t.data.put(0, host);
        return t;
    }

    @Override
    public IntTensor copyIn(int[] host) {
        return new OffHeapIntTensor(host);
    }

    @Override
    public void copyOut(Tensor src, int row, float[] dst) {
        data(src).get(row * src.cols(), dst, 0, src.cols());
    }

    @Override
    public void embed(Weight table, IntTensor tokens, Tensor out) {
        OffHeapWeight w = OffHeapWeight.own(table);
        IntBuffer ids = OffHeapIntTensor.data(tokens);
        for (int t = 0; t < ids.capacity(); t++) {
            int id = ids.get(t);
            if (id < 0 || id >= w.rows()) {
                throw new IndexOutOfBoundsException("row " + id + " of " + w.name());
            }
            data(out).put(t * out.cols(), w.values, id * w.cols(), w.cols());
        }
    }

    /**
     * Per weight row, its dot product with every token's row of x, in index order. x is read into a
     * working array once per call, as a device kernel stages its input in local memory.
     */
    @Override
    public void matmul(Weight weight, Tensor x, Tensor out) {
        OffHeapWeight w = OffHeapWeight.own(weight);
        float[] in = new float[x.rows() * x.cols()];
        data(x).get(0, in);
        FloatBuffer o = data(out);
        int cols = w.cols();
        for (int r = 0; r < w.rows(); r++) {
            int base = r * cols;
            for (int t = 0; t < x.rows(); t++) {
                float sum = 0;
                for (int i = 0; i < cols; i++) {
                    sum += w.values.get(base + i) * in[t * cols + i];
                }
                o.put(t * w.rows() + r, sum);
            }
        }
    }

    @Override
    public void rmsNorm(Tensor x, Tensor weight, Tensor out, float eps) {
        FloatBuffer in = data(x);
        FloatBuffer w = data(weight);
        FloatBuffer o = data(out);
        int size = x.cols();
        for (int t = 0; t < x.rows(); t++) {
            float sum = 0;
            for (int i = 0; i < size; i++) {
                float v = in.get(t * size + i);
                sum += v * v;
            }
            float scale = 1.0f / (float) Math.sqrt(sum / size + eps);
            for (int i = 0; i < size; i++) {
                o.put(t * size + i, in.get(t * size + i) * scale * w.get(i));
            }
        }
    }

    @Override
    public void swiglu(Tensor gate, Tensor up) {
        FloatBuffer g = data(gate);
        FloatBuffer u = data(up);
        for (int i = 0; i < g.capacity(); i++) {
            float v = g.get(i);
            g.put(i, v / (1.0f + (float) Math.exp(-v)) * u.get(i));
        }
    }

    @Override
    public void rmsNormHeads(Tensor x, Tensor weight, int headDim, float eps) {
        FloatBuffer d = data(x);
        FloatBuffer w = data(weight);
        for (int h = 0; h < d.capacity() / headDim; h++) {
            int o = h * headDim;
            float sum = 0;
            for (int i = 0; i < headDim; i++) {
                sum += d.get(o + i) * d.get(o + i);
            }
            float scale = 1.0f / (float) Math.sqrt(sum / headDim + eps);
            for (int i = 0; i < headDim; i++) {
                d.put(o + i, d.get(o + i) * scale * w.get(i));
            }
        }
    }

    @Override
    public void geglu(Tensor gate, Tensor up) {
        FloatBuffer g = data(gate);
        FloatBuffer u = data(up);
        for (int i = 0; i < g.capacity(); i++) {
            double v = g.get(i);
            double gelu = 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)));
            g.put(i, (float) (gelu * u.get(i)));
        }
    }

    @Override
    public void scale(Tensor x, float factor) {
        FloatBuffer d = data(x);
        for (int i = 0; i < d.capacity(); i++) {
            d.put(i, d.get(i) * factor);
        }
    }

    @Override
    public void softcap(Tensor x, float cap) {
        FloatBuffer d = data(x);
        for (int i = 0; i < d.capacity(); i++) {
            d.put(i, (float) (cap * Math.tanh(d.get(i) / cap)));
        }
    }

    @Override
    public void add(Tensor acc, Tensor x) {
        FloatBuffer a = data(acc);
        FloatBuffer b = data(x);
        for (int i = 0; i < a.capacity(); i++) {
            a.put(i, a.get(i) + b.get(i));
        }
    }

    @Override
    public void addBias(Tensor x, Tensor bias) {
        FloatBuffer a = data(x);
        FloatBuffer b = data(bias);
        int cols = x.cols();
        for (int i = 0; i < a.capacity(); i++) {
            a.put(i, a.get(i) + b.get(i % cols));
        }
    }

    @Override
    public void rope(Tensor x, int heads, int headDim, int ropeDims, IntTensor positions, Tensor cos, Tensor sin,
                     boolean neox) {
        FloatBuffer v = data(x);
        IntBuffer pos = OffHeapIntTensor.data(positions);
        int half = ropeDims / 2;
        for (int t = 0; t < x.rows(); t++) {
            int angles = pos.get(t) * half;
            for (int h = 0; h < heads; h++) {
                int base = (t * heads + h) * headDim;
                for (int i = 0; i < half; i++) {
                    int a = neox ? base + i : base + 2 * i;
                    int b = neox ? a + half : a + 1;
                    float c = data(cos).get(angles + i);
                    float s = data(sin).get(angles + i);
                    float x0 = v.get(a);
                    float x1 = v.get(b);
                    v.put(a, x0 * c - x1 * s);
                    v.put(b, x0 * s + x1 * c);
                }
            }
        }
    }

    @Override
    public void gatherRows(Tensor x, IntTensor rows, Tensor out) {
        IntBuffer r = OffHeapIntTensor.data(rows);
        int cols = x.cols();
        for (int i = 0; i < r.capacity(); i++) {
            data(out).put(i * cols, data(x), r.get(i) * cols, cols);
        }
    }

    @Override
    public void addRowsScaled(Tensor delta, float scale, IntTensor rows, Tensor out) {
        IntBuffer r = OffHeapIntTensor.data(rows);
        FloatBuffer d = data(delta);
        FloatBuffer o = data(out);
        int cols = delta.cols();
        for (int i = 0; i < r.capacity(); i++) {
            for (int j = 0; j < cols; j++) {
                int at = r.get(i) * cols + j;
                o.put(at, o.get(at) + scale * d.get(i * cols + j));
            }
        }
    }
}
