package dev.prefixflow.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prefixflow.testing.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The batch command answers every input line exactly once, in the line's own format. */
class BatchCommandTest {

    @Test
    void everyLineGetsOneAnswerAndErrorsAreNamed(@TempDir Path dir) throws Exception {
        String model = TestModels.path("kjv-5m-q80.gguf").toString();
        List<String> lines = List.of(
                "{\"id\":\"greedy\",\"prompt\":\"In the beginning\",\"max_tokens\":8,\"temperature\":0,\"ignore_eos\":true}",
                "{\"id\":\"sampled\",\"prompt\":\"And God said\",\"max_tokens\":6,\"temperature\":0.8,\"top_p\":0.9}",
                "{\"id\":\"ids\",\"prompt_token_ids\":[1,450,365],\"max_tokens\":4}",
                "{\"custom_id\":\"openai-1\",\"method\":\"POST\",\"url\":\"/v1/completions\","
                        + "\"body\":{\"model\":\"kjv\",\"prompt\":\"The LORD is my shepherd\",\"max_tokens\":5}}",
                "this is not json",
                "{\"id\":\"negative\",\"prompt\":\"x\",\"max_tokens\":-1}",
                "{\"id\":\"ten\",\"prompt\":\"x\",\"max_tokens\":\"ten\"}",
                "{\"id\":\"no-prompt\"}",
                "{\"id\":\"too-many\",\"prompt\":\"x\",\"max_tokens\":600}",
                "{\"custom_id\":\"openai-bad\",\"body\":{\"prompt\":\"x\",\"temperature\":-1}}");
        Path input = dir.resolve("requests.jsonl");
        Path output = dir.resolve("results.jsonl");
        Files.write(input, lines);

        CliTest.Run r = CliTest.run("batch", "--model", model, "--input", input.toString(), "--output",
                output.toString(), "--max-num-seqs", "4", "--max-num-batched-tokens", "16");
        assertEquals(0, r.exitCode(), r.err());
        List<String> out = Files.readAllLines(output);
        assertEquals(lines.size(), out.size(), "one output line per input line");
        Map<String, JsonNode> byId = new HashMap<>();
        for (String line : out) {
            JsonNode node = CliTest.JSON.readTree(line);
            String id = CliTest.resultId(node);
            assertEquals(null, byId.put(id, node), "answered twice: " + id);
        }

        for (String ok : List.of("greedy", "sampled", "ids")) {
            assertTrue(byId.get(ok).get("error").isNull(), ok + ": " + byId.get(ok));
            assertTrue(byId.get(ok).get("token_ids").size() > 0, ok);
        }
        assertEquals(8, byId.get("greedy").get("token_ids").size());
        JsonNode openAi = byId.get("openai-1");
        assertTrue(openAi.get("error").isNull(), openAi.toString());
        assertEquals("text_completion", openAi.get("response").get("body").get("object").asText());

        assertError(byId.get("line 5"), "not valid JSON");
        assertError(byId.get("negative"), "max_tokens must be >= 0");
        assertError(byId.get("ten"), "max_tokens must be an integer");
        assertError(byId.get("no-prompt"), "no prompt");
        assertError(byId.get("too-many"), "context length");
        JsonNode badOpenAi = byId.get("openai-bad");
        assertTrue(badOpenAi.get("response").isNull());
        assertTrue(badOpenAi.get("error").get("message").asText().contains("temperature"), badOpenAi.toString());

        assertTrue(r.err().contains("10 requests (6 errors)"), r.err());
        assertTrue(r.err().contains("tokens/s") && r.err().contains("preemptions"), r.err());

        // batch and generate share one path: the same greedy request gives the same tokens.
        CliTest.Run g = CliTest.run("generate", "--model", model, "--prompt", "In the beginning", "--max-tokens", "8",
                "--ignore-eos", "--json");
        assertEquals(CliTest.JSON.readTree(g.out()).get("token_ids"), byId.get("greedy").get("token_ids"));
    }

    private static void assertError(JsonNode node, String message) {
        assertTrue(node != null, message);
        assertTrue(node.get("error").get("message").asText().contains(message), node.toString());
    }
}
