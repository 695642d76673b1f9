package dev.prefixflow.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files written by {@link GgufWriter} read back identically through {@link GgufFile}. */
class GgufRoundTripTest {
    @TempDir
    Path dir;

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void everyValueType() throws IOException {
        Path p = dir.resolve("all.gguf");
        new GgufWriter()
                .putUInt8("u8", 255).putInt8("i8", -128)
                .putUInt16("u16", 65535).putInt16("i16", -32768)
                .putUInt32("u32", 0xFFFF_FFFFL).putInt32("i32", Integer.MIN_VALUE)
                .putUInt64("u64", -1L).putInt64("i64", Long.MIN_VALUE)
                .putFloat32("f32", 1.5f).putFloat64("f64", Math.PI)
                .putBool("yes", true).putBool("no", false)
                .putString("text", "héllo ✓ 𝄞").putString("empty", "")
                .putStringArray("strings", "a", "", "ü")
                .putFloatArray("floats", 1f, -0f, Float.NaN)
                .putFloat64Array("doubles", 2.5, -1e300)
                .putBoolArray("bools", true, false)
                .putInt32Array("ints", 1, -2, Integer.MAX_VALUE)
                .putIntArray("u8s", GgufValueType.UINT8, 0, 255)
                .putIntArray("i8s", GgufValueType.INT8, -128, 127)
                .putIntArray("u16s", GgufValueType.UINT16, 65535)
                .putIntArray("i16s", GgufValueType.INT16, -32768)
                .putIntArray("u32s", GgufValueType.UINT32, 7)
                .putLongArray("u32big", GgufValueType.UINT32, 0xFFFF_FFFFL, 1)
                .putLongArray("i64s", GgufValueType.INT64, Long.MIN_VALUE, 3)
                .putLongArray("u64s", GgufValueType.UINT64, -1L)
                .putInt32Array("none")
                .putNestedArray("nested", new int[] {1, 2}, new String[] {"x"}, new Object[] {new float[] {3f}})
                .write(p);
        try (GgufFile f = GgufFile.open(p)) {
            Map<String, Object> m = f.metadata();
            assertEquals(List.of("u8", "i8", "u16", "i16", "u32", "i32", "u64", "i64", "f32", "f64", "yes",
                    "no", "text", "empty", "strings", "floats", "doubles", "bools", "ints", "u8s", "i8s",
                    "u16s", "i16s", "u32s", "u32big", "i64s", "u64s", "none", "nested"), List.copyOf(m.keySet()));
            assertEquals(255, m.get("u8"));
            assertEquals(-128, m.get("i8"));
            assertEquals(65535, m.get("u16"));
            assertEquals(-32768, m.get("i16"));
            assertEquals(0xFFFF_FFFFL, m.get("u32"));
            assertEquals(Integer.MIN_VALUE, m.get("i32"));
            assertEquals(-1L, m.get("u64"));
            assertEquals(Long.MIN_VALUE, m.get("i64"));
            assertEquals(1.5f, m.get("f32"));
            assertEquals(Math.PI, m.get("f64"));
            assertEquals(true, m.get("yes"));
            assertEquals(false, m.get("no"));
            assertEquals("héllo ✓ 𝄞", m.get("text"));
            assertEquals("", m.get("empty"));
            assertArrayEquals(new String[] {"a", "", "ü"}, (String[]) m.get("strings"));
            assertArrayEquals(new float[] {1f, -0f, Float.NaN}, (float[]) m.get("floats"));
            assertArrayEquals(new double[] {2.5, -1e300}, (double[]) m.get("doubles"));
            assertArrayEquals(new boolean[] {true, false}, (boolean[]) m.get("bools"));
            assertArrayEquals(new int[] {1, -2, Integer.MAX_VALUE}, (int[]) m.get("ints"));
            assertArrayEquals(new int[] {0, 255}, (int[]) m.get("u8s"));
            assertArrayEquals(new int[] {-128, 127}, (int[]) m.get("i8s"));
            assertArrayEquals(new int[] {65535}, (int[]) m.get("u16s"));
            assertArrayEquals(new int[] {-32768}, (int[]) m.get("i16s"));
            assertArrayEquals(new int[] {7}, (int[]) m.get("u32s"));
            assertArrayEquals(new long[] {0xFFFF_FFFFL, 1}, (long[]) m.get("u32big"));
            assertArrayEquals(new long[] {Long.MIN_VALUE, 3}, (long[]) m.get("i64s"));
            assertArrayEquals(new long[] {-1L}, (long[]) m.get("u64s"));
            assertArrayEquals(new int[0], (int[]) m.get("none"));
            Object[] nested = (Object[]) m.get("nested");
            assertArrayEquals(new int[] {1, 2}, (int[]) nested[0]);
            assertArrayEquals(new String[] {"x"}, (String[]) nested[1]);
            assertArrayEquals(new float[] {3f}, (float[]) ((Object[]) nested[2])[0]);
            assertThrows(UnsupportedOperationException.class, () -> m.put("x", 1));
        }
    }

    @Test
    void typedGetters() throws IOException {
        Path p = dir.resolve("typed.gguf");
        new GgufWriter()
                .putUInt8("small", 200).putUInt32("u32", 3_000_000_000L).putUInt64("huge", -1L)
                .putFloat64("f64", 0.25).putString("name", "m").putBool("flag", true)
                .putIntArray("u8s", GgufValueType.UINT8, 1, 2).putLongArray("i64s", GgufValueType.INT64, 5, 6)
                .putLongArray("wide", GgufValueType.INT64, 1L << 40).putFloat64Array("doubles", 0.5)
                .putString("long", "ab".repeat(100_000)) // longer than the reader's buffer
                .write(p);
        try (GgufFile f = GgufFile.open(p)) {
            assertEquals(200, f.getInt("small", 0));
            assertEquals(3_000_000_000L, f.getLong("u32", 0));
            assertEquals(200f, f.getFloat("small", 0));
            assertEquals(0.25f, f.getFloat("f64", 0));
            assertEquals("m", f.getString("name", "d"));
            assertEquals("d", f.getString("absent", "d"));
            assertEquals("ab".repeat(100_000), f.getString("long"));
            assertTrue(f.getBoolean("flag", false));
            assertTrue(f.has("flag"));
            assertFalse(f.has("absent"));
            assertArrayEquals(new int[] {1, 2}, f.getIntArray("u8s"));
            assertArrayEquals(new int[] {5, 6}, f.getIntArray("i64s"));
            assertArrayEquals(new float[] {0.5f}, f.getFloatArray("doubles"));
            assertEquals(null, f.getStringArray("absent"));
            assertEquals("u32", assertThrows(GgufFormatException.class, () -> f.getInt("u32", 0)).field());
            assertEquals("huge", assertThrows(GgufFormatException.class, () -> f.getLong("huge", 0)).field());
            assertEquals("small", assertThrows(GgufFormatException.class, () -> f.getString("small")).field());
            assertEquals("name", assertThrows(GgufFormatException.class, () -> f.getBoolean("name", false)).field());
            assertEquals("wide", assertThrows(GgufFormatException.class, () -> f.getIntArray("wide")).field());
            GgufFormatException e = assertThrows(GgufFormatException.class, () -> f.getFloatArray("u8s"));
            assertTrue(e.getMessage().contains("expected an array of floats, found array of UINT8"), e.getMessage());
        }
    }

    @Test
    void tensorsOfSeveralTypesWithCustomAlignment() throws IOException {
        Path p = dir.resolve("tensors.gguf");
        byte[] f32 = random(4 * 3 * 5, 1);
        byte[] q80 = random(34 * 2 * 3, 2);
        byte[] q4k = random(144, 3);
        byte[] streamed = random(2 * 64, 4);
        new GgufWriter()
                .putUInt32("general.alignment", 64)
                .addTensor("f32", GgmlType.F32, new long[] {3, 5}, f32)
                .addTensor("q80", GgmlType.Q8_0, new long[] {64, 3}, ByteBuffer.wrap(q80))
                .addTensor("q4k", GgmlType.Q4_K, new long[] {256, 1, 1, 1}, q4k)
                .addTensor("f16", GgmlType.F16, new long[] {64}, streamed.length,
                        out -> out.write(ByteBuffer.wrap(streamed)))
                .write(p);
        try (GgufFile f = GgufFile.open(p)) {
            assertEquals(64, f.alignment());
            assertEquals(0, f.dataOffset() % 64);
            assertEquals(List.of("f32", "q80", "q4k", "f16"), List.copyOf(f.tensors().keySet()));
            assertTensor(f, "f32", GgmlType.F32, new long[] {3, 5}, f32);
            assertTensor(f, "q80", GgmlType.Q8_0, new long[] {64, 3}, q80);
            assertTensor(f, "q4k", GgmlType.Q4_K, new long[] {256, 1, 1, 1}, q4k);
            assertTensor(f, "f16", GgmlType.F16, new long[] {64}, streamed);
            for (TensorInfo t : f.tensors().values()) {
                assertEquals(0, t.offset() % 64, t::toString);
            }
        }
    }

    private static void assertTensor(GgufFile f, String name, GgmlType type, long[] dims, byte[] expected)
            throws IOException {
        TensorInfo info = f.tensor(name);
        assertEquals(type, info.type());
        assertArrayEquals(dims, info.dims());
        assertEquals(expected.length, info.byteSize());
        TensorData data = f.load(name);
        assertInstanceOf(ByteBuffer.class, data.data());
        assertTrue(data.data().isReadOnly());
        byte[] actual = new byte[data.data().remaining()];
        data.data().get(actual);
        assertArrayEquals(expected, actual);
    }

    @Test
    void writerRejectsInconsistentInput() throws IOException {
        GgufWriter w = new GgufWriter();
        assertThrows(IllegalArgumentException.class, () -> w.putUInt8("k", 256));
        assertThrows(IllegalArgumentException.class, () -> w.putIntArray("k", GgufValueType.INT8, 200));
        assertThrows(IllegalArgumentException.class, () -> w.putIntArray("k", GgufValueType.INT64, 1));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("t", GgmlType.Q8_0, new long[] {16}, new byte[17]));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("t", GgmlType.F32, new long[] {4}, new byte[15]));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("t", GgmlType.F32, new long[] {0}, new byte[0]));
        w.addTensor("t", GgmlType.F32, new long[] {1}, new byte[4]);
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("t", GgmlType.F32, new long[] {1}, new byte[4]));

        Path p = dir.resolve("short.gguf");
        GgufWriter shortStream = new GgufWriter().addTensor("s", GgmlType.F32, new long[] {4}, 16,
                out -> out.write(ByteBuffer.allocate(8)));
        IOException e = assertThrows(IOException.class, () -> shortStream.write(p));
        assertTrue(e.getMessage().contains("'s'"), e.getMessage());

        GgufWriter badAlignment = new GgufWriter().putUInt32("general.alignment", 48);
        assertThrows(IllegalStateException.class, () -> badAlignment.write(dir.resolve("a.gguf")));
        assertFalse(Files.exists(dir.resolve("a.gguf")));
    }
}
