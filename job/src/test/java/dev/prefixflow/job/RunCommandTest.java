package dev.prefixflow.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prefixflow.testing.TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local default of {@code run}: the bundled examples through an embedded Flink (RocksDB state,
 * checkpoints) into committed JSONL files; the bad lines to the dead-letter files; every good
 * line answered exactly as the in-process {@code batch} command answers it; a summary at the end.
 */
class RunCommandTest {

    @Test
    void localRunAnswersLikeBatchAndDeadLettersBadLines(@TempDir Path dir) throws Exception {
        String model = TestModels.path("kjv-5m-q80.gguf").toString();
        Path input = examples();
        Path results = dir.resolve("results");
        Path dead = dir.resolve("dead");
        CliTest.Run run = CliTest.run("run", "--model", model, "--input", input.toString(),
                "--output", "jsonl:" + results, "--dead-letter", "jsonl:" + dead, "--parallelism", "2",
                "--checkpoint-interval", "500ms", "--checkpoint-dir", dir.resolve("checkpoints").toString(),
                "--chat-template", exampleTemplate().toString(), "--progress", "lines");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.err().contains("PrefixFlow summary"), run.err());
        // For a log: the final progress line on its own line, no carriage returns.
        assertFalse(run.err().contains("\r"), run.err());
        assertTrue(run.err().lines().anyMatch(l -> l.matches("31/31 requests, .* tokens/s, prefix-cache hit rate .*%")),
                run.err());
        assertTrue(run.err().contains("dead-lettered records"), run.err());

        Map<String, JsonNode> batch = CliTest.batchResults(model, input, "--chat-template", exampleTemplate().toString());
        assertTrue(batch.containsKey("chat-1") && batch.containsKey("chat-2"), "the chat lines are answered");
        assertAnswersLike(batch, readParts(results));
        List<JsonNode> deadLetters = readParts(dead);
        assertEquals(2, deadLetters.size(), deadLetters.toString());
        for (JsonNode d : deadLetters) {
            assertTrue(d.get("reason").asText().length() > 10, d.toString());
            assertTrue(d.get("bytes_base64").asText().length() > 0, d.toString());
        }
    }

    @Test
    void prefixRoutingKeepsTheCacheHitsOfASingleEngine(@TempDir Path dir) throws Exception {
        String model = TestModels.path("kjv-5m-q80.gguf").toString();
        Path workload = dir.resolve("workload.jsonl");
        CliTest.Run made = CliTest.run("workload", "--output", workload.toString(), "--groups", "8", "--per-group", "4",
                "--prefix-tokens", "64", "--suffix-tokens", "8", "--max-tokens", "2");
        assertEquals(0, made.exitCode(), made.err());
        assertEquals(32, Files.readAllLines(workload).size());
        long single = cachedTokens(model, workload, dir.resolve("p1"), "prefix", 1);
        long routed = cachedTokens(model, workload, dir.resolve("p2"), "prefix", 2);
        long spread = cachedTokens(model, workload, dir.resolve("r2"), "rebalance", 2);
        // 8 groups x 3 later requests x 64 shared tokens can be served from the cache at most.
        assertEquals(8 * 3 * 64, single);
        assertTrue(routed >= 0.9 * single, "prefix routing at parallelism 2: " + routed + " vs " + single);
        assertTrue(spread < routed, "rebalance should lose hits: " + spread + " vs " + routed);
    }

    private static long cachedTokens(String model, Path input, Path out, String routing, int parallelism) {
        CliTest.Run run = CliTest.run("run", "--model", model, "--input", input.toString(), "--output", "jsonl:" + out,
                "--routing", routing, "--parallelism", Integer.toString(parallelism), "--checkpoint-interval", "1s",
                "--max-num-seqs", "1", "--kv-cache-blocks", "256");
        assertEquals(0, run.exitCode(), run.err());
        return dev.prefixflow.job.pipeline.ProgressMetrics.total("cachedTokens");
    }

    /** The generated token ids of either output shape. */
    /** One streamed result per expected id, each with the expected tokens. */
    static void assertAnswersLike(Map<String, JsonNode> expected, List<JsonNode> streamed) {
        Map<String, JsonNode> left = new HashMap<>(expected);
        assertEquals(left.size(), streamed.size(), "one result per good line");
        for (JsonNode got : streamed) {
            String id = CliTest.resultId(got);
            JsonNode want = left.remove(id);
            assertTrue(want != null, "unexpected or repeated id " + id);
            assertEquals(tokens(want), tokens(got), id);
        }
    }

    /** What was generated: every choice of an OpenAI answer; a record's token ids and choices. */
    static JsonNode tokens(JsonNode result) {
        if (result.has("response")) {
            return result.get("response").get("body").get("choices");
        }
        return CliTest.JSON.createArrayNode().add(result.get("token_ids")).add(result.path("choices"));
    }

    static Path examples() {
        for (Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("examples/requests.jsonl"))) {
                return p.resolve("examples/requests.jsonl");
            }
        }
        throw new IllegalStateException("examples/requests.jsonl not found above " + System.getProperty("user.dir"));
    }

    /** The chat template shipped with the examples (the example model has none). */
    static Path exampleTemplate() {
        return examples().resolveSibling("kjv-chat-template.jinja");
    }

    static List<JsonNode> readParts(Path dir) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith("part-")).toList()) {
                for (String line : Files.readAllLines(f)) {
                    out.add(CliTest.JSON.readTree(line));
                }
            }
        }
        return out;
    }
}
