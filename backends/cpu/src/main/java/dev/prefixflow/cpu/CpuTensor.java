package dev.prefixflow.cpu;

import dev.prefixflow.platform.Tensor;

/** A tensor in one heap float array, row-major: the arrays the CPU kernels compute on. */
final class CpuTensor implements Tensor {
    final float[] data;
    private final int rows;
    private final int cols;

    CpuTensor(float[] data, int rows, int cols) {
        if (data.length != (long) rows * cols) {
            throw new IllegalArgumentException(data.length + " floats are not " + rows + " rows of " + cols);
        }
        this.data = data;
        this.rows = rows;
        this.cols = cols;
    }

    @Override
    public int rows() {
        return rows;
    }

    @Override
    public int cols() {
        return cols;
    }

    /** The CPU array behind a tensor; one of another platform is an error. */
    static float[] data(Tensor t) {
        if (t instanceof CpuTensor c) {
            return c.data;
        }
        throw new IllegalArgumentException("tensor " + t + " was not allocated by the cpu platform");
    }

    @Override
    public String toString() {
        return "cpu tensor " + rows + "x" + cols;
    }
}
