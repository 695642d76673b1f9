package dev.prefixflow.platform;

import dev.prefixflow.gguf.GgmlType;

/**
 * A weight matrix as a platform keeps it (host memory, device memory, repacked blocks...): {@code
 * rows} rows of {@code cols} weights of {@code type}. Only the platform that made it can use it.
 */
public interface Weight {
    String name();

    GgmlType type();

    int rows();

    int cols();
}
