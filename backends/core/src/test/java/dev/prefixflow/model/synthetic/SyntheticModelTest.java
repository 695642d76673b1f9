package dev.prefixflow.model.synthetic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefixflow.gguf.Dequantize;
import dev.prefixflow.gguf.GgmlType;
import dev.prefixflow.gguf.GgufFile;
import dev.prefixflow.gguf.GgufWriter;
import dev.prefixflow.gguf.TensorData;
import dev.prefixflow.gguf.TensorInfo;
import dev.prefixflow.testing.TestModels;
import dev.prefixflow.tokenizer.Tokenizer;
import dev.prefixflow.tokenizer.TokenizerLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class SyntheticModelTest {
    static final ModelShape TINY = ModelShape.parse("tiny");

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "Q8_0", "Q4_0", "Q4_K", "Q6_K"})
    void everyMatrixDecodesToSmallZeroMeanWeights(GgmlType type) throws IOException {
        Path path = dir.resolve("m.gguf");
        SyntheticModel.write(TINY, type, 7, path);
        try (GgufFile f = GgufFile.open(path)) {
            assertEquals("llama", f.getString("general.architecture"));
            assertEquals(TINY.layers(), f.getInt("llama.block_count", -1));
            assertEquals(TINY.kvHeads(), f.getInt("llama.attention.head_count_kv", -1));
            assertEquals(type, f.tensor("blk.1.ffn_down.weight").type());
            assertEquals(GgmlType.F32, f.tensor("blk.0.attn_norm.weight").type());
            assertEquals(2 + TINY.layers() * 9 + 1, f.tensors().size(), "embedding, 9 per layer, output norm, output");
            for (TensorInfo info : f.tensors().values()) {
                double[] stats = meanAndStd(f.load(info.name()));
                if (info.dims().length == 1) {
                    assertEquals(1.0, stats[0], 0.0, info.name() + " is a norm of ones");
                } else {
                    // Q4_0's quants run -8..7, so its weights average -0.5 d (about -0.11 STD).
                    assertEquals(0.0, stats[0], 0.15 * RandomWeights.STD, info.name() + " mean");
                    assertEquals(RandomWeights.STD, stats[1], 0.005, info.name() + " standard deviation");
                }
            }
        }
    }

    @Test
    void sameSeedGivesTheSameBytesAndAnotherSeedOthers() throws IOException {
        Path a = dir.resolve("a.gguf");
        Path b = dir.resolve("b.gguf");
        Path c = dir.resolve("c.gguf");
        SyntheticModel.write(TINY, GgmlType.Q4_K, 1, a);
        SyntheticModel.write(TINY, GgmlType.Q4_K, 1, b);
        SyntheticModel.write(TINY, GgmlType.Q4_K, 2, c);
        assertEquals(-1, Files.mismatch(a, b));
        assertNotEquals(-1, Files.mismatch(a, c));
    }

    @Test
    void theVocabularyTokenizesWithPiecesAndByteFallback() throws IOException {
        Path path = dir.resolve("m.gguf");
        SyntheticModel.write(TINY, GgmlType.Q8_0, 0, path);
        try (GgufFile f = GgufFile.open(path)) {
            Tokenizer t = TokenizerLoader.fromGguf(f);
            assertEquals(TINY.vocabSize(), t.vocabularySize());
            assertEquals(SyntheticVocabulary.BOS, t.bosId());
            int[] ids = t.encode("w5 w12é", true);
            // BOS, the pieces ▁w5 and ▁w12, then the two UTF-8 bytes of é as byte tokens.
            assertEquals(5, ids.length, java.util.Arrays.toString(ids));
            assertEquals(SyntheticVocabulary.BOS, ids[0]);
            assertEquals("\u2581w5", t.piece(ids[1]));
            assertEquals("<0xC3>", t.piece(ids[3]));
            assertEquals("w5 w12é", t.decode(ids));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"kjv-5m-q80.gguf", "qwen2-bpe-q80.gguf"})
    void aVocabularyTakenFromAnotherFileTokenizesAsThatFileDoes(String source) throws IOException {
        Path path = dir.resolve("m.gguf");
        SyntheticModel.write(ModelShape.parse("tiny,dim=64,ffn=128"), GgmlType.Q8_0, 3, path,
                TestModels.path(source));
        try (GgufFile model = GgufFile.open(path); GgufFile original = GgufFile.open(TestModels.path(source))) {
            Tokenizer ours = TokenizerLoader.fromGguf(model);
            Tokenizer theirs = TokenizerLoader.fromGguf(original);
            assertEquals(theirs.vocabularySize(), ours.vocabularySize());
            assertEquals(theirs.vocabularySize(), (int) model.tensor("token_embd.weight").dims()[1]);
            assertEquals(theirs.vocabularySize(), (int) model.tensor("output.weight").dims()[1]);
            assertEquals(theirs.eosId(), ours.eosId());
            String text = "In the beginning God created the heaven and the earth. 1234 caf\u00e9 \u4e16\u754c";
            assertArrayEquals(theirs.encode(text, true), ours.encode(text, true));
            for (String key : original.metadata().keySet()) {
                if (key.startsWith("tokenizer.")) {
                    assertTrue(model.has(key), key);
                }
            }
        }
    }

    @Test
    void aFileWithoutVocabularyCannotLendOne() throws IOException {
        Path plain = dir.resolve("plain.gguf");
        new GgufWriter().putString("general.architecture", "llama").write(plain);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SyntheticModel.write(TINY, GgmlType.Q8_0, 0, dir.resolve("x.gguf"), plain));
        assertTrue(e.getMessage().contains("tokenizer.ggml.tokens"), e.getMessage());
    }

    @Test
    void untiedShapesHaveAnOutputMatrixAndTiedOnesNone() throws IOException {
        Path tied = dir.resolve("tied.gguf");
        SyntheticModel.write(ModelShape.parse("tiny,tied=true"), GgmlType.Q4_0, 0, tied);
        try (GgufFile f = GgufFile.open(tied)) {
            assertNull(f.tensor("output.weight"));
        }
        Path untied = dir.resolve("untied.gguf");
        SyntheticModel.write(TINY, GgmlType.Q4_0, 0, untied);
        try (GgufFile f = GgufFile.open(untied)) {
            assertEquals(GgmlType.Q4_0, f.tensor("output.weight").type());
        }
    }

    @Test
    void namedShapesAndOverridesParse() {
        ModelShape llama = ModelShape.parse("llama-1b");
        assertEquals(2048, llama.dim());
        assertEquals(8, llama.kvHeads());
        assertEquals(128256, llama.vocabSize());
        assertTrue(llama.tiedOutput());
        ModelShape custom = ModelShape.parse("tinyllama-1.1b,layers=4,vocab=1000");
        assertEquals(4, custom.layers());
        assertEquals(1000, custom.vocabSize());
        assertEquals(5632, custom.ffnDim());
        assertEquals("tinyllama-1.1b_layers_4_vocab_1000", custom.name());
        assertThrows(IllegalArgumentException.class, () -> ModelShape.parse("gpt-5"));
        assertThrows(IllegalArgumentException.class, () -> ModelShape.parse("tiny,depth=3"));
        assertThrows(IllegalArgumentException.class, () -> ModelShape.parse("tiny,heads=3"));
    }

    @Test
    void rowsThatDoNotFitTheBlockSizeAreRefused() {
        ModelShape narrow = ModelShape.parse("tiny,dim=64,ffn=128");
        assertThrows(IllegalArgumentException.class,
                () -> SyntheticModel.write(narrow, GgmlType.Q4_K, 0, dir.resolve("x.gguf")));
    }

    private static double[] meanAndStd(TensorData t) {
        float[] row = new float[t.cols()];
        double sum = 0;
        double squares = 0;
        for (int r = 0; r < t.rows(); r++) {
            Dequantize.row(t, r, row, 0);
            for (float v : row) {
                sum += v;
                squares += (double) v * v;
            }
        }
        long n = (long) t.rows() * t.cols();
        double mean = sum / n;
        return new double[] {mean, Math.sqrt(Math.max(0, squares / n - mean * mean))};
    }
}
