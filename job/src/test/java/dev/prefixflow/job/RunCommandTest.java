package dev.prefixflow.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prefixflow.job.arrow.ArrowJavaFiles;
import dev.prefixflow.job.arrow.ResultRow;
import dev.prefixflow.testing.TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local default of {@code run}: the bundled examples through an embedded Flink (RocksDB state,
 * checkpoints) into committed JSONL files; every line with an id answered exactly as the in-process
 * {@code batch} command answers it, bad ones with the same error; the line without one (not JSON) to
 * the dead-letter files; a summary at the end.
 */
class RunCommandTest {

    @Test
    void localRunAnswersLikeBatchAndDeadLettersLinesWithoutAnId(@TempDir Path dir) throws Exception {
        String model = TestModels.path("kjv-5m-q80.gguf").toString();
        Path input = examples();
        Path results = dir.resolve("results");
        Path dead = dir.resolve("dead");
        Path arrow = dir.resolve("arrow");
        CliTest.Run run = CliTest.run("run", "--model", model, "--input", input.toString(),
                "--output", "jsonl:" + results + ",arrow:" + arrow, "--dead-letter", "jsonl:" + dead, "--parallelism", "2",
                "--checkpoint-interval", "500ms", "--checkpoint-dir", dir.resolve("checkpoints").toString(),
                "--chat-template", exampleTemplate().toString(), "--progress", "lines");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.err().contains("PrefixFlow summary"), run.err());
        // For a log: the final progress line on its own line, no carriage returns.
        assertFalse(run.err().contains("\r"), run.err());
        assertTrue(run.err().lines().anyMatch(l -> l.matches("31/31 requests, .* tokens/s, prefix-cache hit rate .*%")),
                run.err());
        assertTrue(run.err().contains("dead-lettered records"), run.err());

        Map<String, JsonNode> batch = CliTest.batchAnswers(model, input, "--chat-template", exampleTemplate().toString());
        assertTrue(batch.containsKey("chat-1") && batch.containsKey("chat-2"), "the chat lines are answered");
        assertTrue(batch.get("bad-1").path("error").path("message").asText().contains("max_tokens must be an integer"),
                batch.get("bad-1").toString());
        List<JsonNode> deadLetters = readParts(dead);
        assertEquals(1, deadLetters.size(), deadLetters.toString());
        for (JsonNode d : deadLetters) {
            assertTrue(d.get("reason").asText().contains("not valid JSON"), d.toString());
            assertTrue(d.get("bytes_base64").asText().length() > 0, d.toString());
            // batch answers it as "line N"; a stream has no such id to answer.
            assertTrue(batch.remove("line " + d.get("line_number").asInt()) != null, d.toString());
        }
        List<JsonNode> answers = readParts(results);
        assertAnswersLike(batch, answers);
        assertArrowRowsAreTheChoices(answers, arrow);
    }

    /** The Arrow output has a row per choice (chat-2 asks for two), with the tokens the JSON answer has. */
    private static void assertArrowRowsAreTheChoices(List<JsonNode> answers, Path arrow) throws Exception {
        List<Path> files;
        try (var all = Files.walk(arrow)) {
            files = all.filter(f -> f.getFileName().toString().startsWith("part-")).toList();
        }
        Map<String, List<ResultRow>> rows = new HashMap<>();
        for (ResultRow row : ArrowJavaFiles.read(files)) {
            rows.computeIfAbsent(row.id(), id -> new ArrayList<>()).add(row);
        }
        assertEquals(answers.size(), rows.size(), rows.keySet().toString());
        for (JsonNode answer : answers) {
            String id = CliTest.resultId(answer);
            List<ResultRow> choices = rows.get(id).stream().sorted(Comparator.comparingInt(ResultRow::choiceIndex))
                    .toList();
            List<JsonNode> want = new ArrayList<>();
            if (answer.has("response") && !answer.get("response").isNull()) {
                answer.get("response").get("body").get("choices").forEach(want::add);
            } else if (answer.has("choices")) {
                answer.get("choices").forEach(want::add);
            } else {
                want.add(answer);
            }
            assertEquals(want.size(), choices.size(), id + ": " + choices);
            for (int i = 0; i < want.size(); i++) {
                assertEquals(i, choices.get(i).choiceIndex(), id);
                JsonNode text = want.get(i).has("message") ? want.get(i).get("message").get("content")
                        : want.get(i).get("text");
                assertEquals(text == null || text.isNull() ? null : text.asText(), choices.get(i).text(),
                        id + " choice " + i);
            }
        }
        assertEquals(2, rows.get("chat-2").size(), "chat-2 asks for two choices");
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
        assertEquals(left.size(), streamed.size(), "one result per expected answer");
        for (JsonNode got : streamed) {
            String id = CliTest.resultId(got);
            JsonNode want = left.remove(id);
            assertTrue(want != null, "unexpected or repeated id " + id);
            assertEquals(tokens(want), tokens(got), id);
        }
    }

    /** What was generated: every choice of an OpenAI answer; a record's token ids and choices; or the error. */
    static JsonNode tokens(JsonNode result) {
        if (!result.path("error").isNull() && !result.path("error").isMissingNode()) {
            return result.get("error").get("message");
        }
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
