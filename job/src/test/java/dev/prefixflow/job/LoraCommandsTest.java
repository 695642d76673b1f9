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
import picocli.CommandLine;

/** --lora on generate, batch and run: the adapters' reference tokens, and unknown names as error results. */
class LoraCommandsTest {
    private static final String MODEL = TestModels.path("kjv-5m-q80.gguf").toString();
    private static final String PSALMS = TestModels.path("kjv-5m-lora-psalms.gguf").toString();
    private static final String GOSPELS = TestModels.path("kjv-5m-lora-gospels.gguf").toString();

    /** The first prompt of kjv-lora-references.json and its first 8 greedy tokens on the Q8_0 base. */
    private static JsonNode firstPrompt() throws Exception {
        return CliTest.JSON.readTree(TestModels.path("kjv-lora-references.json").toFile()).get("prompts").get(0);
    }

    private static JsonNode expectedTokens(JsonNode prompt, String adapter) {
        JsonNode all = prompt.get("greedy").get("kjv-5m-q80.gguf").get(adapter).get("token_ids");
        return CliTest.JSON.valueToTree(List.of(all.get(0), all.get(1), all.get(2), all.get(3), all.get(4),
                all.get(5), all.get(6), all.get(7)));
    }

    private static String ids(JsonNode prompt) {
        StringBuilder b = new StringBuilder();
        prompt.get("prompt_token_ids").forEach(id -> b.append(b.length() == 0 ? "" : ",").append(id.asInt()));
        return b.toString();
    }

    @Test
    void generateWithAnAdapterGivesItsReferenceTokens() throws Exception {
        JsonNode prompt = firstPrompt();
        CliTest.Run r = CliTest.run("generate", "--model", MODEL, "--prompt-ids", ids(prompt), "--max-tokens", "8",
                "--ignore-eos", "--json", "--lora", PSALMS);
        assertEquals(0, r.exitCode(), r.err());
        assertEquals(expectedTokens(prompt, "kjv-5m-lora-psalms.gguf"), CliTest.JSON.readTree(r.out()).get("token_ids"));
    }

    @Test
    void batchRequestsPickAdaptersByNameAndAnUnknownNameIsAnErrorResult(@TempDir Path dir) throws Exception {
        JsonNode prompt = firstPrompt();
        String common = "\"prompt_token_ids\":" + prompt.get("prompt_token_ids") + ",\"max_tokens\":8,\"temperature\":0,\"ignore_eos\":true";
        List<String> lines = List.of("{\"id\":\"psalms\"," + common + ",\"lora\":\"psalms\"}",
                "{\"id\":\"gospels\"," + common + ",\"lora\":\"gospels\"}",
                "{\"id\":\"none\"," + common + "}",
                "{\"id\":\"proverbs\"," + common + ",\"lora\":\"proverbs\"}");
        Path input = dir.resolve("requests.jsonl");
        Path output = dir.resolve("results.jsonl");
        Files.write(input, lines);
        CliTest.Run r = CliTest.run("batch", "--model", MODEL, "--input", input.toString(), "--output",
                output.toString(), "--lora", "psalms=" + PSALMS, "--lora", "gospels=" + GOSPELS);
        assertEquals(0, r.exitCode(), r.err());
        Map<String, JsonNode> byId = new HashMap<>();
        for (String line : Files.readAllLines(output)) {
            JsonNode node = CliTest.JSON.readTree(line);
            byId.put(node.get("id").asText(), node);
        }
        assertEquals(4, byId.size());
        assertEquals(expectedTokens(prompt, "kjv-5m-lora-psalms.gguf"), byId.get("psalms").get("token_ids"));
        assertEquals(expectedTokens(prompt, "kjv-5m-lora-gospels.gguf"), byId.get("gospels").get("token_ids"));
        assertEquals(expectedTokens(prompt, "none"), byId.get("none").get("token_ids"));
        String error = byId.get("proverbs").get("error").get("message").asText();
        assertTrue(error.contains("unknown LoRA adapter 'proverbs'"), error);
    }

    @Test
    void runHandsTheAdaptersToEveryInferenceSubtaskByAbsolutePath() throws Exception {
        RunCommand run = new RunCommand();
        new CommandLine(run).parseArgs("--model", MODEL, "--input", "requests.jsonl", "--output", "jsonl:out",
                "--lora", "psalms=models/psalms.gguf");
        Map<String, String> paths = run.pipelineSpec(MODEL).inference().engine().loraPaths();
        assertEquals(Map.of("psalms", Path.of("models/psalms.gguf").toAbsolutePath().toString()), paths);
    }
}
