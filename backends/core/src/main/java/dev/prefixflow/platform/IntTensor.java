package dev.prefixflow.platform;

/**
 * Int values in a platform's own memory (token ids, positions, row indices), put there by one
 * explicit host copy ({@link Kernels#copyIn(int[])}). Opaque: only that platform reads them.
 */
public interface IntTensor {
    int length();
}
