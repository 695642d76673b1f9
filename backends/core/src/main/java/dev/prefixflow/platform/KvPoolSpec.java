package dev.prefixflow.platform;

/** Shape of a KV pool: {@code numBlocks} blocks of {@code blockSize} token slots in every layer. */
public record KvPoolSpec(int layers, int kvHeads, int headDim, int numBlocks, int blockSize) {

    public KvPoolSpec {
        if (layers <= 0 || kvHeads <= 0 || headDim <= 0 || numBlocks <= 0 || blockSize <= 0) {
            throw new IllegalArgumentException("KV pool dimensions must be positive: " + this);
        }
    }

    /** Floats of K (or of V) per token per layer. */
    public int kvDim() {
        return kvHeads * headDim;
    }

    /** Floats one block holds for K and V in all layers. */
    public int floatsPerBlock() {
        return Math.toIntExact(2L * layers * blockSize * kvDim());
    }

    /** Bytes one block takes for K and V in all layers, at float32. */
    public long bytesPerBlock() {
        return (long) floatsPerBlock() * Float.BYTES;
    }
}
