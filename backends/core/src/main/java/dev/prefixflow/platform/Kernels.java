package dev.prefixflow.platform;

import dev.prefixflow.gguf.TensorData;

/**
 * The compute kernels of a platform, over tensors it owns. Values cross between the host and the
 * platform only through the copy methods ({@code copyIn}, {@code copyOut}), so a device platform
 * moves per forward step only the step's inputs and its logits, never an activation.
 *
 * <p>Every kernel computes each token's row in an order that does not depend on how many rows are
 * in the call, so that batching never changes a result (the engine's determinism rests on it).
 * Shapes are checked by the caller (the model); kernels may assume them.
 */
public interface Kernels {

    /** Takes a weight matrix into the platform's own form, without dequantizing it to floats. */
    Weight upload(TensorData tensor);

    /** A new tensor of zeros. */
    Tensor allocate(int rows, int cols);

    /** Host to platform: a copy of {@code host} as {@code rows} rows of {@code cols} values. */
    Tensor copyIn(float[] host, int rows, int cols);

    /** Host to platform: a copy of {@code host}. */
    IntTensor copyIn(int[] host);

    /** Platform to host: copies row {@code row} of {@code src} into {@code dst[0 .. src.cols())}. */
    void copyOut(Tensor src, int row, float[] dst);

    /** Row t of out = row {@code tokens[t]} of {@code table}, dequantized: the embedding lookup. */
    void embed(Weight table, IntTensor tokens, Tensor out);

    /**
     * Row t of out = w times row t of x, for every row t of x. The weights are read once for all rows
     * (batched product), not once per row.
     */
    void matmul(Weight w, Tensor x, Tensor out);

    /** Row t of out = row t of x / rms(row t of x) * weight, for every row of x. */
    void rmsNorm(Tensor x, Tensor weight, Tensor out, float eps);

    /** gate = silu(gate) * up, element by element. */
    void swiglu(Tensor gate, Tensor up);

    /** acc += x, element by element. */
    void add(Tensor acc, Tensor x);

    /** Adds the one-row {@code bias} to every row of x. */
    void addBias(Tensor x, Tensor bias);

    /**
     * Rotates the first {@code ropeDims} dimensions of each head of every row of x ({@code heads *
     * headDim} values) by the angles of the row's position: {@code cos/sin} row {@code pos}, value i,
     * for pair i. With {@code neox} dimension i pairs with i + ropeDims/2 (GPT-NeoX layout); otherwise
     * with i + 1 (GGUF's adjacent-pair layout).
     */
    void rope(Tensor x, int heads, int headDim, int ropeDims, IntTensor positions, Tensor cos, Tensor sin,
              boolean neox);

    /**
     * Per-head RMSNorm in place: each row of x is split into heads of {@code headDim} values, and each
     * head becomes head / rms(head) * weight ({@code headDim} values): Qwen3's and Gemma 3's q/k norms.
     */
    void rmsNormHeads(Tensor x, Tensor weight, int headDim, float eps);

    /** gate = gelu(gate) * up, element by element, with the tanh approximation of GELU (GeGLU). */
    void geglu(Tensor gate, Tensor up);

    /** x = x * factor, element by element. */
    void scale(Tensor x, float factor);

    /** x = cap * tanh(x / cap), element by element: Gemma's soft-capping of logits. */
    void softcap(Tensor x, float cap);

    /** Row i of out = row {@code rows[i]} of x. */
    void gatherRows(Tensor x, IntTensor rows, Tensor out);

    /** Row {@code rows[i]} of out += scale * row i of delta (a float product, then a float sum). */
    void addRowsScaled(Tensor delta, float scale, IntTensor rows, Tensor out);
}
