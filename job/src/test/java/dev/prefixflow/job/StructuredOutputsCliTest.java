package dev.prefixflow.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.prefixflow.testing.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's classification batch (examples/classify.jsonl) on kjv-5m: every answer keeps its
 * constraint (validated by an independent JSON-schema validator) and ends with "stop"; the Flink
 * job answers it token for token as the batch command does.
 */
class StructuredOutputsCliTest {
    private static final SchemaRegistry SCHEMAS = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

    @Test
    void classificationExampleKeepsItsConstraintsInBatchAndInTheFlinkJob(@TempDir Path dir) throws Exception {
        String model = TestModels.path("kjv-5m-q80.gguf").toString();
        Path input = example();
        Map<String, JsonNode> answers = CliTest.batchResults(model, input);
        List<JsonNode> requests = new ArrayList<>();
        for (String line : Files.readAllLines(input)) {
            requests.add(CliTest.JSON.readTree(line));
        }
        assertEquals(requests.size(), answers.size(), "every line answered without error");
        for (JsonNode request : requests) {
            String id = CliTest.resultId(request);
            JsonNode body = request.has("body") ? request.get("body") : request;
            JsonNode answer = answers.get(id);
            JsonNode choice = answer.has("response") ? answer.get("response").get("body").get("choices").get(0) : answer;
            assertEquals("stop", choice.get("finish_reason").asText(), id + ": " + answer);
            String text = choice.get("text").asText();
            if (body.has("guided_choice")) {
                assertTrue(CliTest.JSON.convertValue(body.get("guided_choice"), List.class).contains(text), text);
            } else if (body.has("guided_regex")) {
                assertTrue(Pattern.matches(body.get("guided_regex").asText(), text), text);
            } else {
                JsonNode schema = body.has("guided_json") ? body.get("guided_json")
                        : body.get("response_format").get("json_schema").get("schema");
                List<Error> errors = SCHEMAS.getSchema(schema.toString()).validate(CliTest.JSON.readTree(text),
                        context -> context.executionConfig(config -> config.formatAssertionsEnabled(true)));
                assertTrue(errors.isEmpty(), id + ": " + text + " " + errors);
            }
        }

        Path results = dir.resolve("results");
        CliTest.Run run = CliTest.run("run", "--model", model, "--input", input.toString(),
                "--output", "jsonl:" + results, "--parallelism", "2", "--checkpoint-interval", "500ms",
                "--checkpoint-dir", dir.resolve("checkpoints").toString());
        assertEquals(0, run.exitCode(), run.err());
        RunCommandTest.assertAnswersLike(answers, RunCommandTest.readParts(results));
    }

    private static Path example() {
        for (Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath(); p != null; p = p.getParent()) {
            Path file = p.resolve("examples/classify.jsonl");
            if (Files.isRegularFile(file)) {
                return file;
            }
        }
        throw new IllegalStateException("examples/classify.jsonl not found above " + System.getProperty("user.dir"));
    }
}
