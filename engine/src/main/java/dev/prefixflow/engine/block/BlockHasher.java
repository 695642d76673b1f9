package dev.prefixflow.engine.block;

import java.nio.charset.StandardCharsets;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * Hashes blocks of token ids into a chain: a full block's hash is
 * {@code H(parent block hash, the block's token ids, extra key)}, so equal hashes mean equal
 * prefixes up to and including that block. The first block's parent is {@link #ROOT}.
 *
 * <p><b>Why 128 bits of SHA-256.</b> A block hash is the identity of cached KV data: a collision
 * silently serves one prompt another prompt's attention state. A long-running cache (plus the
 * RocksDB tier) sees billions of blocks; with 64 bits the birthday bound puts a collision at about
 * 2^32 (four billion) blocks, and Java's 32-bit {@code hashCode} at about 77,000. With 128 bits the
 * odds stay below 10^-18 even after 2^40 blocks. A cryptographic hash rather than a fast mixer,
 * because prompts come from users: a non-cryptographic hash lets a tenant craft a prompt whose
 * blocks collide with someone else's (vLLM's own Python-hash prefix cache had exactly that
 * advisory). SHA-256 runs with CPU intrinsics on the JDK; {@code BlockHasherBench} measures
 * it far above the ~100k blocks/s an engine step needs.
 *
 * <p>The byte encoding below is part of the persisted state format: changing it orphans every
 * block in the evicted-block tier. Encoding: parent (16 bytes), token count (int), tokens (ints,
 * big-endian), then 0 for no extra key or 1, the UTF-8 length (int) and bytes. Lengths are
 * encoded so that no two different inputs share an encoding.
 *
 * <p>Thread-safe: each thread uses its own digest.
 */
public final class BlockHasher {

    /** The parent of a sequence's first block. */
    public static final BlockHash ROOT = new BlockHash(0L, 0L);

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private BlockHasher() {}

    /** The hashes of all full blocks of {@code tokens}, in order. */
    public static List<BlockHash> hashes(int[] tokens, int blockSize, String extraKey) {
        checkBlockSize(blockSize);
        int fullBlocks = tokens.length / blockSize;
        List<BlockHash> hashes = new ArrayList<>(fullBlocks);
        BlockHash parent = ROOT;
        for (int block = 0; block < fullBlocks; block++) {
            parent = hashBlock(parent, tokens, block * blockSize, blockSize, extraKey);
            hashes.add(parent);
        }
        return hashes;
    }

    /**
     * The hash of {@code tokens[from, from + length)} as the child of {@code parent}: the
     * incremental form, one more block of a chain.
     */
    public static BlockHash hashBlock(BlockHash parent, int[] tokens, int from, int length, String extraKey) {
        if (from < 0 || length < 0 || from + length > tokens.length) {
            throw new IndexOutOfBoundsException("tokens [" + from + ", " + (from + length) + ") of " + tokens.length);
        }
        return SCRATCH.get().hash(parent, tokens, from, length, extraKey);
    }

    static void checkBlockSize(int blockSize) {
        if (blockSize <= 0) {
            throw new IllegalArgumentException("block size must be positive: " + blockSize);
        }
    }

    /** One thread's digest and encoding buffer, reused so hashing a block allocates only the result. */
    private static final class Scratch {
        private final MessageDigest digest;
        private byte[] buffer = new byte[256];
        private final byte[] out = new byte[32];

        Scratch() {
            try {
                digest = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every JDK provides SHA-256", e);
            }
        }

        BlockHash hash(BlockHash parent, int[] tokens, int from, int length, String extraKey) {
            byte[] key = extraKey == null ? null : extraKey.getBytes(StandardCharsets.UTF_8);
            int size = BlockHash.BYTES + 4 + 4 * length + 1 + (key == null ? 0 : 4 + key.length);
            if (buffer.length < size) {
                buffer = new byte[size];
            }
            int at = putLong(parent.high(), 0);
            at = putLong(parent.low(), at);
            at = putInt(length, at);
            for (int i = from; i < from + length; i++) {
                at = putInt(tokens[i], at);
            }
            if (key == null) {
                buffer[at++] = 0;
            } else {
                buffer[at++] = 1;
                at = putInt(key.length, at);
                System.arraycopy(key, 0, buffer, at, key.length);
                at += key.length;
            }
            digest.update(buffer, 0, at);
            try {
                digest.digest(out, 0, out.length);
            } catch (DigestException e) {
                throw new IllegalStateException("the output buffer fits SHA-256", e);
            }
            return new BlockHash(readLong(0), readLong(8));
        }

        private int putInt(int value, int at) {
            buffer[at] = (byte) (value >>> 24);
            buffer[at + 1] = (byte) (value >>> 16);
            buffer[at + 2] = (byte) (value >>> 8);
            buffer[at + 3] = (byte) value;
            return at + 4;
        }

        private int putLong(long value, int at) {
            return putInt((int) value, putInt((int) (value >>> 32), at));
        }

        private long readLong(int at) {
            long value = 0;
            for (int i = at; i < at + 8; i++) {
                value = (value << 8) | (out[i] & 0xFF);
            }
            return value;
        }
    }
}
