package dev.prefixflow.platform;

/**
 * Float32 values that a platform keeps in its own memory (host heap, direct buffers, device memory):
 * activations and the small weights (norms, biases, RoPE tables), {@code rows} rows of {@code cols}
 * values, row-major. An opaque handle: only the platform that allocated it reads or writes its
 * values; the host sees them only through {@link Kernels#copyOut}.
 */
public interface Tensor {
    int rows();

    int cols();
}
