package dev.prefixflow.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file beyond 2 GiB, made sparse so the test writes only a few bytes: a 3 GiB tensor followed by
 * a small one. The header must parse, the small tensor must map from beyond 2 GiB, and the big one
 * must be refused with a clear error.
 */
class GgufLargeFileTest {
    private static final long THREE_GIB = 3L << 30;

    @TempDir
    Path dir;

    @Test
    void tensorsBeyondTwoGibibytes() throws IOException {
        Path file = dir.resolve("large.gguf");
        new GgufWriter()
                .addTensor("big", GgmlType.F32, new long[] {8}, new byte[32])
                .addTensor("small", GgmlType.F32, new long[] {8}, new byte[32])
                .write(file);
        long dataOffset;
        try (GgufFile f = GgufFile.open(file)) {
            dataOffset = f.dataOffset();
        }
        GgufBytes header = new GgufBytes(file);
        header.putU64(header.find("big") + 3 + 4, THREE_GIB / 4);
        header.putU64(header.find("small") + 5 + 4 + 8 + 4, THREE_GIB);
        byte[] smallData = new byte[32];
        for (int i = 0; i < smallData.length; i++) {
            smallData[i] = (byte) (i + 1);
        }
        Files.write(file, header.bytes);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(smallData), dataOffset + THREE_GIB);
        }

        try (GgufFile f = GgufFile.open(file)) {
            assertEquals(dataOffset + THREE_GIB + 32, Files.size(file));
            assertEquals(THREE_GIB, f.tensor("big").byteSize());
            TensorData small = f.load("small");
            byte[] actual = new byte[32];
            small.data().get(actual);
            assertArrayEquals(smallData, actual);
            GgufFormatException e = assertThrows(GgufFormatException.class, () -> f.load("big"));
            assertTrue(e.getMessage().contains("'big'") && e.getMessage().contains("2 GiB"), e.getMessage());
            assertEquals(dataOffset, e.offset());
        }
    }
}
