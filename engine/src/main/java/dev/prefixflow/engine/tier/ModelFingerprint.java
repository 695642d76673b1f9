package dev.prefixflow.engine.tier;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * Identifies a model file cheaply, to stamp tier entries: the first 16 bytes of SHA-256 over the
 * file's size, its first MiB (GGUF header: metadata and tensor infos, so architecture, shapes,
 * quantization and tokenizer) and its last MiB (weights). Reading 2 MiB keeps it fast for
 * multi-GB files; a re-quantized, re-trained or differently configured model changes the header
 * or the tail. Not a security check: a file crafted to collide is out of scope.
 */
public final class ModelFingerprint {
    public static final int BYTES = 16;
    private static final int SPAN = 1 << 20;

    private ModelFingerprint() {
    }

    public static byte[] of(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            long size = ch.size();
            sha.update(ByteBuffer.allocate(Long.BYTES).putLong(size).flip());
            digest(ch, sha, 0, Math.min(SPAN, size));
            long tail = Math.max(0, size - SPAN);
            digest(ch, sha, tail, size - tail);
            return Arrays.copyOf(sha.digest(), BYTES);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static void digest(FileChannel ch, MessageDigest sha, long from, long length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate((int) length);
        while (buffer.hasRemaining() && ch.read(buffer, from + buffer.position()) >= 0) {
            // read until full: FileChannel may return short reads
        }
        sha.update(buffer.flip());
    }
}
