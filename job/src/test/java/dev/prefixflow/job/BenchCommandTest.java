package dev.prefixflow.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prefixflow.gguf.GgmlType;
import dev.prefixflow.benchmarks.TokenCost;
import dev.prefixflow.gguf.GgufFile;
import dev.prefixflow.model.synthetic.ModelShape;
import dev.prefixflow.model.synthetic.SyntheticModel;
import dev.prefixflow.testing.TestModels;
import dev.prefixflow.tokenizer.TokenizerLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bench command's figures and its synthetic model cache; speeds are only checked for sanity. */
class BenchCommandTest {
    /** Per layer q and o (256x256), k and v (128x256), gate, up and down (512x256); two layers. */
    static final long TINY_LAYER_WEIGHTS = 2L * (2 * 65536 + 2 * 32768 + 3 * 131072);
    static final long TINY_OUTPUT_WEIGHTS = 300 * 256;
    /** Weights of one tiny forward: the layers, the 300x256 output matrix, one 256-weight embedding row. */
    static final long TINY_WEIGHTS = TINY_LAYER_WEIGHTS + TINY_OUTPUT_WEIGHTS + 256;

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
        // Every prompt token through the layers, the output matrix for the last one only.
        double prefillFlops = 2.0 * TINY_LAYER_WEIGHTS + 2.0 * TINY_OUTPUT_WEIGHTS / 20;
        assertEquals(prefillFlops, r.get("prefill_flops_per_token").asDouble(), 1e-6);
        double peak = r.get("compute_peak_flops").asDouble();
        assertTrue(peak > 1e9 && Double.isFinite(peak), "peak " + peak);
        assertEquals(prefillFlops * r.get("prefill_tokens_per_s").asDouble() / peak,
                r.get("prefill_peak_fraction").asDouble(), 1e-9);
        assertEquals(peak / prefillFlops / r.get("decode_tokens_per_s").asDouble(),
                r.get("prefill_decode_speedup_bound").asDouble(), 1e-9);

        CliTest.Run second = CliTest.run(args);
        assertEquals(0, second.exitCode(), second.err());
        assertFalse(second.err().contains("generating"), "the cached model is reused: " + second.err());
    }

    @Test
    void tiedOutputCountsTheWholeEmbeddingOnce() throws Exception {
        Path tied = dir.resolve("tied.gguf");
        SyntheticModel.write(ModelShape.parse("tiny,tied=true,vocab=400"), GgmlType.Q8_0, 0, tied);
        try (GgufFile f = GgufFile.open(tied)) {
            TokenCost cost = TokenCost.of(f);
            // The output product reads all 400 embedding rows; the lookup reads one of them again.
            long weights = TINY_LAYER_WEIGHTS + 400 * 256 + 256;
            assertEquals(GgmlType.Q8_0.byteSize(weights), cost.bytesPerToken());
            assertEquals(GgmlType.Q8_0, cost.mainType());
            // The lookup costs no multiply-adds; the output product one per embedding weight.
            assertEquals(TINY_LAYER_WEIGHTS, cost.layerMacsPerToken());
            assertEquals(400 * 256, cost.outputMacsPerToken());
            assertEquals(2.0 * (TINY_LAYER_WEIGHTS + 400 * 256), cost.decodeFlopsPerToken());
            assertEquals(2.0 * TINY_LAYER_WEIGHTS + 2.0 * 400 * 256 / 8, cost.prefillFlopsPerToken(8));
        }
    }

    @Test
    void engineModeBoundsBatchedDecodeByTheComputePeak() {
        CliTest.Run r = CliTest.run("bench", "--engine", "--synthetic", "tiny", "--type", "Q8_0", "--requests", "4",
                "--prompt-tokens", "8", "--decode-tokens", "4", "--shared-prefix-tokens", "16", "--threads", "1",
                "--cache-dir", dir.toString());
        assertEquals(0, r.exitCode(), r.err());
        Matcher single = Pattern.compile("max_num_seqs  1 +([0-9.]+) generated tokens/s").matcher(r.out());
        Matcher bound = Pattern.compile("bound: at 100 % of the ([0-9.]+) GFLOP/s peak a batched step yields at most "
                + "([0-9.]+) tokens/s = ([0-9.]+) x max_num_seqs 1").matcher(r.out());
        assertTrue(single.find() && bound.find(), r.out());
        double peak = Double.parseDouble(bound.group(1)) * 1e9;
        double tokensPerSecond = Double.parseDouble(bound.group(2));
        // Each generated token costs at least one token through the layers and the output matrix.
        double decodeFlops = 2.0 * (TINY_LAYER_WEIGHTS + TINY_OUTPUT_WEIGHTS);
        assertEquals(peak / decodeFlops, tokensPerSecond, 1e-3 * tokensPerSecond, r.out());
        // The single-sequence rate is printed to 0.05 tokens/s, so the ratio read back is off by up to that
        // share of it (besides the ratio's own rounding).
        double singleRate = Double.parseDouble(single.group(1));
        double ratio = Double.parseDouble(bound.group(3));
        assertEquals(tokensPerSecond / singleRate, ratio, 0.1 + ratio * (1e-3 + 0.05 / singleRate), r.out());
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
