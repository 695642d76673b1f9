package dev.prefixflow.platform;

import dev.prefixflow.gguf.TensorData;

/**
 * The compute kernels of a platform. Activations are host float arrays laid out row-major, one row
 * per token. Every kernel computes each token's row in an order that does not depend on how many
 * tokens are in the call, so that batching never changes a result (the engine's determinism rests
 * on it).
 */
public interface Kernels {

    /** Takes a weight matrix into the platform's own form, without dequantizing it to floats. */
    Weight upload(TensorData tensor);

    /**
     * out[t * w.rows() + r] = dot(row r of w, x[t * w.cols() ...]) for every token t < n. The weights
     * are read once for all n tokens (batched product), not once per token.
     */
    void matmul(Weight w, float[] x, float[] out, int n);

    /** Copies row {@code row} of {@code w}, dequantized, into out[outOffset ...]: an embedding lookup. */
    void dequantizeRow(Weight w, int row, float[] out, int outOffset);

    /** out[i] = x[i] / rms(x) * weight[i] for each of the n rows of {@code size} values. */
    void rmsNorm(float[] x, float[] weight, float[] out, int n, int size, float eps);

    /** gate[i] = silu(gate[i]) * up[i] for the first {@code size} values. */
    void swiglu(float[] gate, float[] up, int size);

    /** acc[i] += x[i] for the first {@code size} values. */
    void add(float[] acc, float[] x, int size);

    /**
     * Rotates the first {@code ropeDims} dimensions of each head of n tokens' rows ({@code heads *
     * headDim} values each) by the angles of their positions: {@code cos/sin[pos * ropeDims / 2 +
     * i]} for pair i. With {@code neox} dimension i pairs with i + ropeDims/2 (GPT-NeoX layout);
     * otherwise with i + 1 (GGUF's adjacent-pair layout).
     */
    void rope(float[] x, int n, int heads, int headDim, int ropeDims, int[] positions, int positionOffset,
              float[] cos, float[] sin, boolean neox);
}
