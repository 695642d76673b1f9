package dev.prefixflow.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
 * {@code prefixflow sql -f}: a script with CREATE TABLE, CREATE MODEL (the prefixflow provider) and
 * INSERT INTO ... ML_PREDICT runs on the embedded Flink at parallelism 2, with progress and the
 * summary, and writes for every request the text that the {@code batch} command answers.
 */
class SqlCommandTest {
    static final String MODEL = TestModels.path("kjv-5m-q80.gguf").toString();

    /** 32 requests that share prefixes, greedy and sampled, seeded and not. */
    static Path requests(Path dir) throws IOException {
        String[] starts = {"In the beginning God created", "And the LORD spake unto Moses, saying,",
                "Blessed is the man that walketh not", "Then the king"};
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            ObjectNode line = CliTest.JSON.createObjectNode();
            line.put("id", "q" + i);
            line.put("prompt", starts[i % starts.length] + " " + "and the people ".repeat(i % 3) + "verse " + i);
            line.put("max_tokens", 2 + i % 4);
            if (i % 2 == 0) {
                line.put("temperature", 0.0);
            }
            if (i % 5 == 1) {
                line.put("seed", i);
            }
            lines.add(line.toString());
        }
        return Files.write(dir.resolve("requests.jsonl"), lines);
    }

    static String script(Path input, Path output) {
        return """
                -- the requests, as a table
                CREATE TABLE requests (id STRING, prompt STRING, max_tokens INT, temperature DOUBLE, seed BIGINT)
                WITH ('connector' = 'filesystem', 'path' = '%s', 'format' = 'json');
                CREATE MODEL kjv
                INPUT (prompt STRING, id STRING, max_tokens INT, temperature DOUBLE, seed BIGINT)
                OUTPUT (text STRING, finish_reason STRING, error STRING)
                WITH ('provider' = 'prefixflow', 'model' = '%s', 'max-num-seqs' = '8');
                CREATE TABLE answers (id STRING, text STRING, finish_reason STRING, error STRING)
                WITH ('connector' = 'filesystem', 'path' = '%s', 'format' = 'json');
                INSERT INTO answers SELECT id, text, finish_reason, error
                FROM ML_PREDICT(TABLE requests, MODEL kjv, DESCRIPTOR(prompt, id, max_tokens, temperature, seed));
                """.formatted(input, MODEL, output);
    }

    /** The JSON lines of every committed part file under {@code dir} (in-progress files are hidden). */
    static List<JsonNode> committedLines(Path dir) throws IOException {
        List<JsonNode> rows = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile)
                    .filter(f -> !f.getFileName().toString().startsWith(".")).toList()) {
                for (String line : Files.readAllLines(f)) {
                    rows.add(CliTest.JSON.readTree(line));
                }
            }
        }
        return rows;
    }

    /** The committed rows by id; an id twice is an error. */
    static Map<String, JsonNode> committedRows(Path dir) throws IOException {
        Map<String, JsonNode> rows = new HashMap<>();
        for (JsonNode row : committedLines(dir)) {
            assertEquals(null, rows.put(row.get("id").asText(), row), "two rows for " + row);
        }
        return rows;
    }

    @Test
    void aScriptAnswersEveryRequestAsBatchDoes(@TempDir Path dir) throws Exception {
        Path input = requests(dir);
        Path output = dir.resolve("answers");
        Path script = Files.writeString(dir.resolve("answers.sql"), script(input, output));

        CliTest.Run run = CliTest.run("sql", "-f", script.toString(), "--parallelism", "2",
                "--checkpoint-interval", "500 ms");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.err().contains("PrefixFlow summary"), run.err());
        assertTrue(run.err().matches("(?s).*requests answered\\s+32\\n.*"), run.err());

        assertAnswersLikeBatch(input, output);
    }

    /** Every request of {@code input} has one committed row under {@code output}, with batch's text. */
    static void assertAnswersLikeBatch(Path input, Path output) throws IOException {
        Map<String, JsonNode> got = committedRows(output);
        Map<String, JsonNode> expected = CliTest.batchResults(MODEL, input);
        assertEquals(32, expected.size());
        assertEquals(expected.keySet(), got.keySet());
        expected.forEach((id, want) -> {
            JsonNode row = got.get(id);
            assertTrue(row.get("error").isNull(), row.toString());
            assertEquals(want.get("text").asText(), row.get("text").asText(), id);
            assertEquals(want.get("finish_reason").asText(), row.get("finish_reason").asText(), id);
        });
    }

    @Test
    void theExampleScriptClassifiesTheExampleRequests(@TempDir Path dir) throws Exception {
        Path examples = RunCommandTest.examples();
        Path root = examples.getParent().getParent();
        Path output = dir.resolve("classified");
        String script = Files.readString(root.resolve("examples/classify.sql"))
                .replace("'examples/requests.jsonl'", "'" + examples + "'")
                .replace("'models/kjv-5m-q80.gguf'", "'" + MODEL + "'")
                .replace("'out/classified'", "'" + output + "'");
        Path file = Files.writeString(dir.resolve("classify.sql"), script);

        CliTest.Run run = CliTest.run("sql", "-f", file.toString(), "--checkpoint-interval", "500 ms");
        assertEquals(0, run.exitCode(), run.err());
        List<JsonNode> rows = committedLines(output);
        // 29 lines: 2 are not requests at all (skipped), 3 OpenAI batch lines have no "prompt" field.
        long answered = rows.stream().filter(r -> r.get("error").isNull()).count();
        long errors = rows.stream().filter(r -> !r.get("error").isNull()).count();
        assertTrue(answered >= 20, rows.toString());
        assertTrue(errors >= 3, rows.toString());
        rows.stream().filter(r -> r.get("error").isNull()).forEach(r -> assertNotNull(r.get("label").textValue()));
    }

    /** An example script with its paths pointed at this checkout and {@code output}. */
    private static Path exampleScript(Path dir, String name, String outDir, Path output) throws IOException {
        Path examples = RunCommandTest.examples().getParent();
        String script = Files.readString(examples.resolve(name))
                .replace("'examples/", "'" + examples + "/")
                .replace("'models/kjv-5m-q80.gguf'", "'" + MODEL + "'")
                .replace("'" + outDir + "'", "'" + output + "'");
        return Files.writeString(dir.resolve(name), script);
    }

    @Test
    void theChatExampleAnswersEveryConversationAsBatchDoes(@TempDir Path dir) throws Exception {
        Path output = dir.resolve("chat");
        Path script = exampleScript(dir, "chat.sql", "out/chat", output);

        CliTest.Run run = CliTest.run("sql", "-f", script.toString(), "--checkpoint-interval", "500 ms");
        assertEquals(0, run.exitCode(), run.err());
        Map<String, JsonNode> got = committedRows(output);
        Path conversations = RunCommandTest.examples().resolveSibling("chat.jsonl");
        Map<String, JsonNode> expected = CliTest.batchResults(MODEL, conversations, "--chat-template",
                RunCommandTest.exampleTemplate().toString());
        assertEquals(5, expected.size(), "batch answers chat-1..chat-5");
        assertEquals(6, got.size(), got.toString());
        expected.forEach((id, want) -> {
            JsonNode row = got.get(id);
            assertTrue(row.get("error").isNull(), row.toString());
            assertEquals(want.get("text").asText(), row.get("text").asText(), id);
            assertEquals(want.get("finish_reason").asText(), row.get("finish_reason").asText(), id);
        });
        JsonNode refused = got.get("chat-6");
        assertTrue(refused.get("text").isNull(), refused.toString());
        assertTrue(refused.get("error").asText().contains("roles are system, user and assistant, not tool"),
                refused.toString());
    }

    @Test
    void theStructuredExampleLabelsEveryRequestFromItsList(@TempDir Path dir) throws Exception {
        Path output = dir.resolve("classified-json");
        Path script = exampleScript(dir, "classify-json.sql", "out/classified-json", output);

        CliTest.Run run = CliTest.run("sql", "-f", script.toString(), "--checkpoint-interval", "500 ms");
        assertEquals(0, run.exitCode(), run.err());
        List<JsonNode> rows = committedLines(output);
        List<String> speakers = List.of("the LORD", "the king", "the people", "a prophet");
        List<JsonNode> answered = rows.stream().filter(r -> r.get("error").isNull()).toList();
        // 31 lines: 25 with a "prompt", 1 not JSON (skipped), 5 without a top-level "prompt" (the OpenAI batch
        // lines and the chat lines): those get an error value.
        assertEquals(25, answered.size(), rows.toString());
        assertEquals(5, rows.size() - answered.size(), rows.toString());
        for (JsonNode r : answered) {
            assertEquals("stop", r.get("finish_reason").asText(), r.toString());
            assertTrue(speakers.contains(r.get("speaker").asText()), r.toString());
            JsonNode answer = CliTest.JSON.readTree(r.get("answer").asText());
            assertEquals(List.of("speaker"), List.copyOf(CliTest.JSON.convertValue(answer, Map.class).keySet()),
                    r.toString());
        }
    }
}
