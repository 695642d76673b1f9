package dev.prefixflow.gguf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Sequential little-endian reads of a GGUF header through positional channel reads and a small
 * buffer, so files of any size (beyond the 2 GiB of one mapping) can be parsed. Every read is checked
 * against the file size first: running past the end is a {@link GgufFormatException}, never a
 * buffer exception.
 */
final class ChannelReader {
    private static final int CHUNK = 1 << 16;

    private final Path path;
    private final FileChannel channel;
    private final long size;
    private final ByteBuffer buffer = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
    private long bufferStart;
    private long position;

    ChannelReader(Path path, FileChannel channel) throws IOException {
        this.path = path;
        this.channel = channel;
        this.size = channel.size();
        buffer.limit(0);
    }

    Path path() {
        return path;
    }

    long size() {
        return size;
    }

    long position() {
        return position;
    }

    long remaining() {
        return size - position;
    }

    GgufFormatException error(long offset, String field, String problem) {
        return new GgufFormatException(path, offset, field, problem);
    }

    int u8(String field) throws IOException {
        return buffered(1, field).get(index(1)) & 0xFF;
    }

    int i8(String field) throws IOException {
        return buffered(1, field).get(index(1));
    }

    int u16(String field) throws IOException {
        return buffered(2, field).getShort(index(2)) & 0xFFFF;
    }

    int i16(String field) throws IOException {
        return buffered(2, field).getShort(index(2));
    }

    long u32(String field) throws IOException {
        return buffered(4, field).getInt(index(4)) & 0xFFFF_FFFFL;
    }

    int i32(String field) throws IOException {
        return buffered(4, field).getInt(index(4));
    }

    /** Raw 64 bits; an unsigned value above {@link Long#MAX_VALUE} comes back negative. */
    long u64(String field) throws IOException {
        return buffered(8, field).getLong(index(8));
    }

    float f32(String field) throws IOException {
        return buffered(4, field).getFloat(index(4));
    }

    double f64(String field) throws IOException {
        return buffered(8, field).getDouble(index(8));
    }

    /** A length-prefixed UTF-8 string of at most {@code maxBytes} bytes; malformed UTF-8 is an error. */
    String string(String field, int maxBytes) throws IOException {
        long lengthAt = position;
        long length = u64(field + " length");
        if (length < 0 || length > maxBytes) {
            throw error(lengthAt, field, "string length " + Long.toUnsignedString(length)
                    + " exceeds the limit of " + maxBytes + " bytes");
        }
        if (length > remaining()) {
            throw error(lengthAt, field, "string length " + length + " exceeds the "
                    + remaining() + " bytes left in the file");
        }
        long start = position;
        byte[] bytes = bytes((int) length, field);
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes));
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw error(start, field, "string is not valid UTF-8");
        }
    }

    private byte[] bytes(int n, String field) throws IOException {
        require(n, field);
        byte[] out = new byte[n];
        if (n <= CHUNK) {
            buffered(n, field).get(index(n), out);
            return out;
        }
        ByteBuffer target = ByteBuffer.wrap(out);
        while (target.hasRemaining()) {
            if (channel.read(target, position + target.position()) < 0) {
                throw error(position, field, "file ended while reading (was it truncated meanwhile?)");
            }
        }
        position += n;
        return out;
    }

    private void require(long n, String field) throws GgufFormatException {
        if (n > remaining()) {
            throw error(position, field, "file truncated: need " + n + " bytes, only "
                    + remaining() + " left");
        }
    }

    /** Makes the next {@code n <= CHUNK} bytes available in the buffer. */
    private ByteBuffer buffered(int n, String field) throws IOException {
        require(n, field);
        if (position < bufferStart || position + n > bufferStart + buffer.limit()) {
            buffer.clear();
            bufferStart = position;
            long want = Math.min(CHUNK, size - position);
            buffer.limit((int) want);
            while (buffer.hasRemaining()) {
                if (channel.read(buffer, bufferStart + buffer.position()) < 0) {
                    throw error(position, field, "file ended while reading (was it truncated meanwhile?)");
                }
            }
            buffer.flip();
        }
        return buffer;
    }

    /** Buffer index of the next {@code n} bytes; advances the position past them. */
    private int index(int n) {
        int i = (int) (position - bufferStart);
        position += n;
        return i;
    }
}
