package dev.prefixflow.platform;

import dev.prefixflow.gguf.GgmlType;

/**
 * Shape of a KV pool: {@code numBlocks} blocks of {@code blockSize} token slots in every layer,
 * each value stored as {@code dtype} in the platform's memory.
 */
public record KvPoolSpec(int layers, int kvHeads, int headDim, int numBlocks, int blockSize, GgmlType dtype) {

    public KvPoolSpec {
        if (layers <= 0 || kvHeads <= 0 || headDim <= 0 || numBlocks <= 0 || blockSize <= 0) {
            throw new IllegalArgumentException("KV pool dimensions must be positive: " + this);
        }
        if (dtype.blockSize() != 1) {
            throw new IllegalArgumentException("KV cache dtype " + dtype + " is not a plain element type");
        }
    }

    /** A float32 cache, the dtype every model's KV cache has today ({@link #F32_CACHE}). */
    public KvPoolSpec(int layers, int kvHeads, int headDim, int numBlocks, int blockSize) {
        this(layers, kvHeads, headDim, numBlocks, blockSize, F32_CACHE);
    }

    /** The KV cache dtype models use. */
    public static final GgmlType F32_CACHE = GgmlType.F32;

    /** Values of K (or of V) per token per layer. */
    public int kvDim() {
        return kvHeads * headDim;
    }

    /** Floats one block takes in the spilled (host) format of {@link KvPool#readBlock}: K and V of all layers. */
    public int floatsPerBlock() {
        return Math.toIntExact(2L * layers * blockSize * kvDim());
    }

    /** Bytes one block takes in the pool for K and V in all layers, at {@code dtype}. */
    public long bytesPerBlock() {
        return (long) floatsPerBlock() * dtype.typeSize();
    }
}
