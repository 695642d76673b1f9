package dev.prefixflow.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Crafted broken headers: each must fail with a GgufFormatException naming field and offset. */
class GgufMalformedTest {
    @TempDir
    Path dir;
    private Path bad;
    private GgufBytes file;

    /** A small valid file whose fields the tests locate by their (unique) names. */
    static Path writeSample(Path dir) throws IOException {
        Path p = dir.resolve("sample.gguf");
        new GgufWriter()
                .putString("general.architecture", "llama")
                .putUInt32("general.alignment", 32)
                .putUInt32("test.u32", 7)
                .putBool("test.flag", true)
                .putFloatArray("test.floats", 1f, 2f, 3f)
                .putInt32("test.dup1", 1)
                .putInt32("test.dup2", 2)
                .addTensor("t.alpha", GgmlType.F32, new long[] {4, 2}, new byte[32])
                .addTensor("t.bravo", GgmlType.Q8_0, new long[] {32, 2}, new byte[68])
                .addTensor("t.gamma", GgmlType.F32, new long[] {8}, new byte[32])
                .write(p);
        return p;
    }

    @BeforeEach
    void setUp() throws IOException {
        file = new GgufBytes(writeSample(dir));
        bad = dir.resolve("bad.gguf");
    }

    /** Offset of a tensor info's n_dims field. */
    private int nDimsAt(String tensor) {
        return file.find(tensor) + tensor.length();
    }

    @Test
    void sampleIsValid() throws IOException {
        try (GgufFile f = GgufFile.open(dir.resolve("sample.gguf"))) {
            assertEquals(3, f.tensors().size());
            assertEquals(7, f.getInt("test.u32", 0));
        }
    }

    @Test
    void badMagic() throws IOException {
        file.put(0, (byte) 'X').assertRejected(bad, "magic", 0, "expected \"GGUF\"");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 4, -1})
    void unknownVersion(int version) throws IOException {
        file.putU32(4, version).assertRejected(bad, "version", 4, "expected version 2 or 3");
    }

    @Test
    void version2IsAccepted() throws IOException {
        Files.write(bad, file.putU32(4, 2).bytes);
        try (GgufFile f = GgufFile.open(bad)) {
            assertEquals(2, f.version());
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1L << 40, -1L, 100})
    void absurdTensorCount(long count) throws IOException {
        file.putU64(8, count).assertRejected(bad, "tensor_count", 8, "cannot fit");
    }

    @ParameterizedTest
    @ValueSource(longs = {1L << 40, -1L, 1000})
    void absurdKvCount(long count) throws IOException {
        file.putU64(16, count).assertRejected(bad, "kv_count", 16, "cannot fit");
    }

    @Test
    void unknownValueType() throws IOException {
        int at = file.afterKey("test.u32");
        file.putU32(at, 13).assertRejected(bad, "kv 'test.u32' type", at, "unknown value type 13");
    }

    @Test
    void unknownArrayElementType() throws IOException {
        int at = file.afterKey("test.floats") + 4;
        file.putU32(at, 99).assertRejected(bad, "kv 'test.floats' element type", at, "unknown value type 99");
    }

    @Test
    void absurdKeyLength() throws IOException {
        file.putU64(24, 1L << 40).assertRejected(bad, "kv[0].key", 24, "exceeds the limit");
    }

    @Test
    void stringLongerThanTheFile() throws IOException {
        int at = file.afterKey("general.architecture") + 4;
        file.putU64(at, 1 << 20).assertRejected(bad, "kv 'general.architecture'", at, "bytes left");
    }

    @Test
    void stringLongerThanTheCap() throws IOException {
        int at = file.afterKey("general.architecture") + 4;
        file.putU64(at, Long.MIN_VALUE + 5).assertRejected(bad, "kv 'general.architecture'", at,
                "exceeds the limit");
    }

    @ParameterizedTest
    @ValueSource(longs = {1 << 20, 1L << 40, -3})
    void absurdArrayLength(long length) throws IOException {
        int at = file.afterKey("test.floats") + 8;
        file.putU64(at, length).assertRejected(bad, "kv 'test.floats' length", at, "array");
    }

    @Test
    void invalidUtf8() throws IOException {
        int at = file.find("llama");
        file.put(at + 2, (byte) 0xFF).assertRejected(bad, "kv 'general.architecture'", at, "not valid UTF-8");
    }

    @Test
    void invalidBool() throws IOException {
        int at = file.afterKey("test.flag") + 4;
        file.put(at, (byte) 2).assertRejected(bad, "kv 'test.flag'", at, "bool must be 0 or 1");
    }

    @Test
    void duplicateKey() throws IOException {
        int at = file.find("test.dup2") - 8;
        file.putString(at + 8, "test.dup1").assertRejected(bad, ".key", at, "duplicate key 'test.dup1'");
    }

    @Test
    void duplicateTensorName() throws IOException {
        int at = file.find("t.gamma") - 8;
        file.putString(at + 8, "t.alpha").assertRejected(bad, ".name", at, "duplicate tensor name 't.alpha'");
    }

    @Test
    void tooDeepNesting() throws IOException {
        Object nested = new int[] {1};
        for (int i = 0; i < MetadataReader.MAX_NESTING; i++) {
            nested = new Object[] {nested};
        }
        Path p = dir.resolve("deep.gguf");
        new GgufWriter().putNestedArray("test.deep", nested).write(p);
        GgufBytes deep = new GgufBytes(p);
        // Nesting level MAX_NESTING + 1 starts after the key, its type, and MAX_NESTING (type, count) pairs.
        int at = deep.afterKey("test.deep") + 4 + 12 * MetadataReader.MAX_NESTING;
        deep.assertRejected(bad, "test.deep", at, "nested deeper than");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 5, -1})
    void badDimensionCount(int nDims) throws IOException {
        int at = nDimsAt("t.alpha");
        file.putU32(at, nDims).assertRejected(bad, "tensor 't.alpha' n_dims", at, "expected 1..4");
    }

    @ParameterizedTest
    @ValueSource(longs = {0, -1, Long.MIN_VALUE})
    void nonPositiveDimension(long dim) throws IOException {
        int at = nDimsAt("t.alpha") + 4 + 8;
        file.putU64(at, dim).assertRejected(bad, "tensor 't.alpha' dims[1]", at, "must be positive");
    }

    @Test
    void overflowingDimensions() throws IOException {
        int at = nDimsAt("t.alpha") + 4;
        file.putU64(at, 1L << 32).putU64(at + 8, 1L << 32)
                .assertRejected(bad, "tensor 't.alpha' dims", at, "overflows");
    }

    @Test
    void rowNotAMultipleOfTheBlockSize() throws IOException {
        int at = nDimsAt("t.bravo") + 4;
        file.putU64(at, 16).assertRejected(bad, "tensor 't.bravo' dims[0]", at, "block size 32");
    }

    @ParameterizedTest
    @ValueSource(ints = {4, 99, -1})
    void unknownTensorType(int id) throws IOException {
        int at = nDimsAt("t.bravo") + 4 + 16;
        file.putU32(at, id).assertRejected(bad, "tensor 't.bravo' type", at, "unknown ggml type id");
    }

    @ParameterizedTest
    @ValueSource(longs = {1 << 20, -32, 160})
    void tensorOutsideTheFile(long offset) throws IOException {
        int at = nDimsAt("t.gamma") + 4 + 8 + 4;
        file.putU64(at, offset).assertRejected(bad, "tensor 't.gamma' offset", at, "outside the file");
    }

    @Test
    void misalignedTensor() throws IOException {
        int at = nDimsAt("t.gamma") + 4 + 8 + 4;
        file.putU64(at, file.u64(at) + 4).assertRejected(bad, "tensor 't.gamma' offset", at,
                "not a multiple of the alignment 32");
    }

    @Test
    void overlappingTensors() throws IOException {
        int at = nDimsAt("t.bravo") + 4 + 16 + 4;
        file.putU64(at, 0).assertRejected(bad, "offset", at, "overlaps");
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 48, 1L << 31})
    void alignmentNotAPowerOfTwo(long alignment) throws IOException {
        int at = file.afterKey("general.alignment") + 4;
        file.putU32(at, alignment).assertRejected(bad, "general.alignment", at, "power of two");
    }

    /** Every prefix of a valid file is invalid: the last tensor's data no longer fits. */
    @Test
    void truncationAtEveryOffset() throws IOException {
        byte[] whole = file.bytes;
        for (int length = 0; length < whole.length; length++) {
            Files.write(bad, Arrays.copyOf(whole, length));
            try (GgufFile f = GgufFile.open(bad)) {
                fail("truncated to " + length + " bytes but opened: " + f.tensors());
            } catch (GgufFormatException e) {
                assertTrue(e.offset() >= 0 && e.offset() <= length, e.getMessage());
            }
        }
    }
}
