package dev.prefixflow.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefixflow.testing.TestModels;
import java.io.IOException;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Facts about the checked-in kjv-5m models, read through {@link GgufFile}. */
class GgufModelsTest {

    @ParameterizedTest
    @ValueSource(strings = {"f32", "f16", "q80", "q40", "q4km", "q6k"})
    void headerFacts(String variant) throws IOException {
        try (GgufFile f = GgufFile.open(TestModels.path("kjv-5m-" + variant + ".gguf"))) {
            assertEquals(3, f.version());
            assertEquals(32, f.alignment());
            assertEquals(0, f.dataOffset() % 32);
            assertEquals("llama", f.getString("general.architecture"));
            assertEquals(6, f.getInt("llama.block_count", -1));
            assertEquals(256, f.getInt("llama.embedding_length", -1));
            assertEquals(8, f.getInt("llama.attention.head_count", -1));
            assertEquals(2, f.getInt("llama.attention.head_count_kv", -1));
            assertEquals(1e-5f, f.getFloat("llama.attention.layer_norm_rms_epsilon", 0), 1e-9f);
            assertTrue(f.getBoolean("tokenizer.ggml.add_bos_token", false));
            String[] tokens = f.getStringArray("tokenizer.ggml.tokens");
            assertEquals(2048, tokens.length);
            assertEquals("<unk>", tokens[0]);
            assertEquals("<s>", tokens[1]);
            assertEquals(2048, f.getFloatArray("tokenizer.ggml.scores").length);
            assertArrayEquals(new int[] {2, 3, 3, 6, 6},
                    java.util.Arrays.copyOf(f.getIntArray("tokenizer.ggml.token_type"), 5));
            assertEquals(57, f.tensors().size());
            assertArrayEquals(new long[] {256, 2048}, f.tensor("token_embd.weight").dims());
            assertArrayEquals(new long[] {768, 256}, f.tensor("blk.5.ffn_down.weight").dims());
            assertNull(f.tensor("no.such.tensor"));
            assertNull(f.getString("no.such.key"));
            assertEquals(7, f.getLong("no.such.key", 7));
        }
    }

    @ParameterizedTest
    @CsvSource({
        "f32, F32, F32, F32",
        "f16, F16, F16, F16",
        "q80, Q8_0, Q8_0, Q8_0",
        "q40, Q4_0, Q4_0, Q6_K",
        "q4km, Q4_K, Q4_K Q6_K, Q6_K",
        "q6k, Q6_K, Q6_K, Q6_K",
    })
    void tensorTypes(String variant, GgmlType embedding, String matrixTypes, GgmlType output)
            throws IOException {
        try (GgufFile f = GgufFile.open(TestModels.path("kjv-5m-" + variant + ".gguf"))) {
            assertEquals(embedding, f.tensor("token_embd.weight").type());
            assertEquals(output, f.tensor("output.weight").type());
            assertEquals(GgmlType.F32, f.tensor("output_norm.weight").type());
            Set<GgmlType> expected = EnumSet.noneOf(GgmlType.class);
            for (String t : matrixTypes.split(" ")) {
                expected.add(GgmlType.valueOf(t));
            }
            Set<GgmlType> seen = EnumSet.noneOf(GgmlType.class);
            for (TensorInfo t : f.tensors().values()) {
                if (t.dims().length == 2 && t.name().startsWith("blk.")) {
                    seen.add(t.type());
                }
            }
            assertEquals(expected, seen);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"f32", "q4km"})
    void loadMapsEveryTensorWithItsSize(String variant) throws IOException {
        try (GgufFile f = GgufFile.open(TestModels.path("kjv-5m-" + variant + ".gguf"))) {
            long end = f.dataOffset();
            for (TensorInfo info : f.tensors().values()) {
                TensorData data = f.load(info.name());
                assertEquals(info.byteSize(), data.data().remaining());
                assertEquals(0, data.data().position());
                assertEquals(info.type().byteSize(info.elements()), info.byteSize());
                assertEquals(0, (info.offset() - f.dataOffset()) % f.alignment());
                end = Math.max(end, info.offset() + info.byteSize());
            }
            long size = java.nio.file.Files.size(f.path());
            assertTrue(end <= size && size - end < f.alignment(), "data ends at " + end + " of " + size);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> f.load("missing.weight"));
            assertTrue(e.getMessage().contains("missing.weight"));
        }
    }
}
