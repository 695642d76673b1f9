package dev.prefixflow.platform;

/**
 * The paged KV cache: blocks of token slots per layer, in the platform's memory. Slot s is position
 * s % blockSize of block s / blockSize. Attention finds a sequence's keys and values through its
 * block table. Heads share KV heads in groups (grouped-query attention).
 */
public interface KvPool {

    KvPoolSpec spec();

    /** Host to platform: one copy of a step's attention metadata, used by all its layers. */
    PreparedAttention prepare(AttentionMetadata metadata);

    /**
     * Writes the step's new tokens' K and V (row t of k and v, {@code kvDim} values each) into their
     * slots (the metadata's slot mapping) of layer {@code layer}.
     */
    void write(int layer, Tensor k, Tensor v, PreparedAttention step);

    /**
     * Causal attention of every sequence of the step at once: query row t of q ({@code heads *
     * headDim} values) at position p attends to its sequence's positions 0..p (the last {@code
     * window} of them on a windowed layer), found via the block table; it must not touch the entries
     * of blocks before the first position it sees (they may be {@link AttentionMetadata#NULL_BLOCK}).
     * Scores are q.k times the scale, soft-capped where asked. The result goes to row t of out.
     */
    void attend(int layer, Tensor q, Tensor out, int heads, LayerAttention attention, PreparedAttention step);

    /**
     * Platform to host: copies block {@code block}'s K and V of every layer into {@code out}, as
     * float32 ({@link KvPoolSpec#floatsPerBlock()} floats, per layer its K rows then its V rows, slot
     * order, {@code kvDim} floats a row), whatever the pool's own dtype. This is the spilled-block
     * format of the evicted-block tier.
     */
    void readBlock(int block, float[] out);

    /** Host to platform: fills block {@code block} from {@code data} in {@link #readBlock}'s format, bit for bit. */
    void writeBlock(int block, float[] data);
}
