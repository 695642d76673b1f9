package dev.prefixflow.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prefixflow.gguf.GgmlType;
import dev.prefixflow.gguf.GgufFile;
import dev.prefixflow.model.synthetic.ModelShape;
import dev.prefixflow.model.synthetic.SyntheticModel;
import dev.prefixflow.testing.TestModels;
import dev.prefixflow.tokenizer.TokenizerLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bench command's figures and its synthetic model cache; speeds are only checked for sanity. */
class BenchCommandTest {
    /**
     * Weights of one tiny forward: per layer q and o (256x256), k and v (128x256), gate, up and down
     * (512x256), two layers, the 300x256 output matrix, one 256-weight embedding row.
     */
    static final long TINY_WEIGHTS = 2L * (2 * 65536 + 2 * 32768 + 3 * 131072) + 300 * 256 + 256;

    @TempDir
    Path dir;

    @Test
    void jsonReportsTheRunAndReusesTheCachedModel() throws Exception {
        String[] args = {"bench", "--synthetic", "tiny", "--type", "Q4_0", "--prompt-tokens", "20",
            "--decode-tokens", "3", "--threads", "1", "--cache-dir", dir.toString(), "--json"};
        CliTest.Run first = CliTest.run(args);
        assertEquals(0, first.exitCode(), first.err());
        assertTrue(first.err().contains("generating"), first.err());
        assertTrue(Files.isRegularFile(dir.resolve(SyntheticModel.fileName(ModelShape.parse("tiny"), GgmlType.Q4_0, 0))));

        JsonNode r = CliTest.JSON.readTree(first.out());
        assertEquals("Q4_0", r.get("weight_type").asText());
        assertEquals(20, r.get("prompt_tokens").asInt());
        assertEquals(3, r.get("decode_tokens").asInt());
        assertEquals(GgmlType.Q4_0.byteSize(TINY_WEIGHTS), r.get("weight_bytes_per_token").asLong());
        for (String positive : new String[] {"prefill_tokens_per_s", "decode_tokens_per_s", "memory_gb_per_s",
            "decode_bandwidth_fraction", "prefill_decode_speedup"}) {
            double v = r.get(positive).asDouble();
            assertTrue(v > 0 && Double.isFinite(v), positive + " = " + v);
        }
        assertEquals(r.get("decode_gb_per_s").asDouble(),
                r.get("weight_bytes_per_token").asDouble() * r.get("decode_tokens_per_s").asDouble() / 1e9, 1e-9);

        CliTest.Run second = CliTest.run(args);
        assertEquals(0, second.exitCode(), second.err());
        assertFalse(second.err().contains("generating"), "the cached model is reused: " + second.err());
    }

    @Test
    void tiedOutputCountsTheWholeEmbeddingOnce() throws Exception {
        Path tied = dir.resolve("tied.gguf");
        SyntheticModel.write(ModelShape.parse("tiny,tied=true,vocab=400"), GgmlType.Q8_0, 0, tied);
        try (GgufFile f = GgufFile.open(tied)) {
            // The output product reads all 400 embedding rows; the lookup reads one of them again.
            long weights = TINY_WEIGHTS - 300 * 256 + 400 * 256;
            assertEquals(GgmlType.Q8_0.byteSize(weights), DecodeTraffic.of(f).bytesPerToken());
            assertEquals(GgmlType.Q8_0, DecodeTraffic.of(f).mainType());
        }
    }

    @Test
    void tokenizerModeEncodesTheTextRepeatedToFourMegabytes() throws Exception {
        String verse = "And God said, Let there be light: and there was light.\n";
        Path text = dir.resolve("verse.txt");
        Files.writeString(text, verse);
        String model = TestModels.path("qwen2-bpe-f16.gguf").toString();
        CliTest.Run r = CliTest.run("bench", "--tokenizer", "--model", model, "--text", text.toString(), "--json");
        assertEquals(0, r.exitCode(), r.err());

        JsonNode j = CliTest.JSON.readTree(r.out());
        int copies = ((4 << 20) + verse.length() - 1) / verse.length();
        // Copies split apart at the newline, so each encodes alone.
        int perCopy;
        try (GgufFile f = GgufFile.open(Path.of(model))) {
            perCopy = TokenizerLoader.fromGguf(f).encode(verse, false).length;
        }
        assertEquals((long) copies * verse.length(), j.get("text_bytes").asLong());
        assertEquals(copies * perCopy, j.get("tokens").asInt());
        assertEquals(j.get("text_bytes").asDouble() / 1e6 / j.get("encode_seconds").asDouble(),
                j.get("encode_mb_per_s").asDouble(), 1e-9);
        assertTrue(j.get("encode_cpu_seconds").asDouble() > 0, r.out());
    }

    @Test
    void tokenizerModeNeedsAModelFile() {
        CliTest.Run r = CliTest.run("bench", "--tokenizer", "--synthetic", "tiny", "--cache-dir", dir.toString());
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("--tokenizer needs --model"), r.err());
    }

    @Test
    void aMissingModelFileIsAnError() {
        CliTest.Run r = CliTest.run("bench", "--model", dir.resolve("none.gguf").toString());
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("model file not found"), r.err());
    }
}
