package dev.prefixflow.platform;

/**
 * The paged KV cache: blocks of token slots per layer. Slot s is position s % blockSize of block s /
 * blockSize. Attention finds a sequence's keys and values through its block table.
 */
public interface KvPool {

    KvPoolSpec spec();

    /**
     * Writes n tokens' K and V rows ({@code kvDim} floats each, starting at row {@code rowOffset} of
     * k and v) into their slots {@code slots[slotOffset + i]}.
     */
    void write(int layer, float[] k, float[] v, int rowOffset, int n, int[] slots, int slotOffset);

    /**
     * Causal attention for n consecutive query tokens of one sequence, the first at position {@code
     * firstPosition}: query token i attends to positions 0..firstPosition+i, whose K/V are found via
     * {@code blockTable}. q rows hold {@code heads * headDim} floats from row {@code rowOffset}; the
     * result goes to the same rows of out. Heads share KV heads in groups (grouped-query attention).
     */
    void attend(int layer, float[] q, float[] out, int rowOffset, int n, int heads, int firstPosition,
                int[] blockTable, float scale);

    /**
     * Copies block {@code block}'s K and V of every layer into {@code out}: {@link
     * KvPoolSpec#floatsPerBlock()} floats, per layer its K rows then its V rows (slot order, {@code
     * kvDim} floats a row). Used to spill a block out of the pool; a device pool copies to the host.
     */
    void readBlock(int block, float[] out);

    /** Fills block {@code block} from {@code data} in {@link #readBlock}'s layout, bit for bit. */
    void writeBlock(int block, float[] data);
}
