package dev.prefixflow.engine.tier;

import dev.prefixflow.platform.KvPoolSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The stored form of one block's KV: a header that stamps the entry with the model fingerprint and
 * the pool shape it was computed for, then the floats at float32, so that a swapped-in block is
 * bit for bit what was evicted and outputs do not change (a compact F16 encoding would change them).
 *
 * <pre>
 * int    magic 'PFKV'
 * int    version (1)
 * byte16 model fingerprint ({@link ModelFingerprint})
 * int    layers, kvDim, blockSize
 * float  2 * layers * blockSize * kvDim, little-endian, in KvPool.readBlock's layout
 * </pre>
 *
 * An entry that does not match this model and shape exactly, or whose length is wrong (cut or
 * padded bytes), decodes to null: the block is then recomputed.
 */
public final class KvBlockCodec {
    static final int MAGIC = 0x5046_4b56;
    static final int VERSION = 1;
    static final int HEADER_BYTES = 4 + 4 + ModelFingerprint.BYTES + 3 * 4;

    private final byte[] fingerprint;
    private final KvPoolSpec shape;
    private final int floats;

    public KvBlockCodec(byte[] fingerprint, KvPoolSpec shape) {
        if (fingerprint.length != ModelFingerprint.BYTES) {
            throw new IllegalArgumentException("a fingerprint has " + ModelFingerprint.BYTES + " bytes");
        }
        this.fingerprint = fingerprint.clone();
        this.shape = shape;
        this.floats = shape.floatsPerBlock();
    }

    /** Bytes of one encoded block. */
    public int entryBytes() {
        return HEADER_BYTES + floats * Float.BYTES;
    }

    public byte[] encode(float[] kv) {
        if (kv.length != floats) {
            throw new IllegalArgumentException("a block holds " + floats + " floats, got " + kv.length);
        }
        ByteBuffer out = ByteBuffer.allocate(entryBytes());
        out.putInt(MAGIC).putInt(VERSION).put(fingerprint)
                .putInt(shape.layers()).putInt(shape.kvDim()).putInt(shape.blockSize());
        out.slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(kv);
        return out.array();
    }

    /** The KV of an entry, or null if it is not an intact entry for this model and shape. */
    public float[] decode(byte[] entry) {
        if (entry == null || entry.length != entryBytes()) {
            return null;
        }
        ByteBuffer in = ByteBuffer.wrap(entry);
        int magic = in.getInt();
        int version = in.getInt();
        byte[] stamp = new byte[ModelFingerprint.BYTES];
        in.get(stamp);
        if (magic != MAGIC || version != VERSION || !Arrays.equals(stamp, fingerprint)
                || in.getInt() != shape.layers() || in.getInt() != shape.kvDim()
                || in.getInt() != shape.blockSize()) {
            return null;
        }
        float[] kv = new float[floats];
        in.slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(kv);
        return kv;
    }
}
