package dev.prefixflow.engine.block;

import java.nio.ByteBuffer;

/**
 * The 128-bit hash of a full block, as produced by {@link BlockHasher}. Immutable; two longs so
 * that it is cheap as a map key and as a Flink state key ({@link #toBytes()}).
 */
public final class BlockHash {

    /** Length of {@link #toBytes()}. */
    public static final int BYTES = 16;

    private final long high;
    private final long low;

    public BlockHash(long high, long low) {
        this.high = high;
        this.low = low;
    }

    public long high() {
        return high;
    }

    public long low() {
        return low;
    }

    /** Big-endian: high lane first. Stable, since it is a persisted state key. */
    public byte[] toBytes() {
        return ByteBuffer.allocate(BYTES).putLong(high).putLong(low).array();
    }

    public static BlockHash fromBytes(byte[] bytes) {
        if (bytes.length != BYTES) {
            throw new IllegalArgumentException("a block hash has " + BYTES + " bytes, got " + bytes.length);
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        return new BlockHash(buffer.getLong(), buffer.getLong());
    }

    /** The inverse of {@link #toString()}. */
    public static BlockHash parse(String hex) {
        if (hex.length() != 2 * BYTES) {
            throw new IllegalArgumentException("a block hash has " + 2 * BYTES + " hex digits: " + hex);
        }
        return new BlockHash(Long.parseUnsignedLong(hex, 0, 16, 16), Long.parseUnsignedLong(hex, 16, 32, 16));
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof BlockHash that && high == that.high && low == that.low;
    }

    @Override
    public int hashCode() {
        // The bits are already uniformly mixed; folding is enough.
        return Long.hashCode(high ^ low);
    }

    /** 32 lowercase hex digits. */
    @Override
    public String toString() {
        return String.format("%016x%016x", high, low);
    }
}
