package dev.prefixflow.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Test helper: a GGUF file's bytes, to locate header fields and corrupt them. */
final class GgufBytes {
    final byte[] bytes;

    GgufBytes(Path file) throws IOException {
        this.bytes = Files.readAllBytes(file);
    }

    /** Offset of the string's bytes, which must occur exactly once. */
    int find(String s) {
        byte[] needle = s.getBytes(StandardCharsets.UTF_8);
        int found = -1;
        for (int i = 0; i + needle.length <= bytes.length; i++) {
            int j = 0;
            while (j < needle.length && bytes[i + j] == needle[j]) {
                j++;
            }
            if (j == needle.length) {
                assertEquals(-1, found, "'" + s + "' occurs more than once");
                found = i;
            }
        }
        assertTrue(found >= 0, "'" + s + "' not found");
        return found;
    }

    /** Offset just past the key's bytes: where its value type is. */
    int afterKey(String key) {
        return find(key) + key.getBytes(StandardCharsets.UTF_8).length;
    }

    long u64(int at) {
        return buffer().getLong(at);
    }

    GgufBytes putU32(int at, long v) {
        buffer().putInt(at, (int) v);
        return this;
    }

    GgufBytes putU64(int at, long v) {
        buffer().putLong(at, v);
        return this;
    }

    GgufBytes put(int at, byte v) {
        bytes[at] = v;
        return this;
    }

    GgufBytes putString(int at, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(b, 0, bytes, at, b.length);
        return this;
    }

    /**
     * Writes the bytes to {@code file} and asserts that opening it fails with a
     * {@link GgufFormatException} at {@code offset} whose field contains {@code field}.
     */
    GgufFormatException assertRejected(Path file, String field, long offset, String problem)
            throws IOException {
        Files.write(file, bytes);
        GgufFormatException e = assertThrows(GgufFormatException.class, () -> GgufFile.open(file).close());
        assertTrue(e.field().contains(field), () -> "field '" + e.field() + "' lacks '" + field + "'");
        assertEquals(offset, e.offset(), e::getMessage);
        assertTrue(e.getMessage().contains(file.toString()), e::getMessage);
        assertTrue(e.getMessage().contains("offset " + offset), e::getMessage);
        assertTrue(e.getMessage().contains(field), e::getMessage);
        assertTrue(e.getMessage().contains(problem), () -> e.getMessage() + " lacks '" + problem + "'");
        return e;
    }

    private ByteBuffer buffer() {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }
}
