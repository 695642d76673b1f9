package dev.prefixflow.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.prefixflow.testing.TestModels;
import dev.prefixflow.tokenizer.VocabularyExcerpt;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The CLI contract other tools rely on: arguments, exit codes and exactly one JSON object on stdout. */
class CliTest {
    static final ObjectMapper JSON = new ObjectMapper();

    record Run(int exitCode, String out, String err) {
    }

    /** A result line's id: custom_id for OpenAI batch lines, else id. */
    static String resultId(JsonNode result) {
        return result.has("custom_id") ? result.get("custom_id").asText() : result.get("id").asText();
    }

    /** The in-process `batch` command's answers to the good lines of {@code input}, by id. */
    static Map<String, JsonNode> batchResults(String model, Path input, String... moreArgs) throws IOException {
        Map<String, JsonNode> good = new HashMap<>(batchAnswers(model, input, moreArgs));
        good.values().removeIf(node -> !(node.path("error").isNull() || node.path("error").isMissingNode()));
        return good;
    }

    /** The in-process `batch` command's answer to every line of {@code input}, errors included, by id. */
    static Map<String, JsonNode> batchAnswers(String model, Path input, String... moreArgs) throws IOException {
        Path batchOut = Files.createTempFile("prefixflow-batch", ".jsonl");
        try {
            List<String> args = new java.util.ArrayList<>(List.of("batch", "--model", model, "--input", input.toString(),
                    "--output", batchOut.toString()));
            args.addAll(List.of(moreArgs));
            Run batch = run(args.toArray(String[]::new));
            assertEquals(0, batch.exitCode(), batch.err());
            Map<String, JsonNode> answers = new HashMap<>();
            for (String line : Files.readAllLines(batchOut)) {
                JsonNode node = JSON.readTree(line);
                answers.put(resultId(node), node);
            }
            return answers;
        } finally {
            Files.deleteIfExists(batchOut);
        }
    }

    static Run run(String... args) {
        CommandLine cli = PrefixFlowCli.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void generateJsonMatchesTheReference() throws Exception {
        JsonNode prompt = JSON.readTree(TestModels.path("kjv-references.json").toFile()).get("prompts").get(2);
        JsonNode ref = prompt.get("greedy").get("kjv-5m-q80.gguf");
        Run r = run("generate", "--model", TestModels.path("kjv-5m-q80.gguf").toString(),
                "--prompt", prompt.get("text").asText(), "--max-tokens", "64", "--ignore-eos", "--json");
        assertEquals(0, r.exitCode(), r.err());
        JsonNode result = JSON.readTree(r.out());
        assertEquals(prompt.get("prompt_token_ids"), result.get("prompt_token_ids"));
        assertEquals(ref.get("token_ids"), result.get("token_ids"));
        assertEquals(ref.get("text").asText(), result.get("text").asText());
        assertEquals("length", result.get("finish_reason").asText());
        assertEquals(1, r.out().strip().lines().count(), "exactly one JSON object on stdout");
    }

    @Test
    void promptIdsAreUsedAsGiven() throws Exception {
        Run r = run("generate", "--model", TestModels.path("kjv-5m-q80.gguf").toString(),
                "--prompt-ids", "1,450,365", "--max-tokens", "3", "--json");
        assertEquals(0, r.exitCode(), r.err());
        JsonNode result = JSON.readTree(r.out());
        assertEquals(JSON.valueToTree(List.of(1, 450, 365)), result.get("prompt_token_ids"));
        assertEquals(3, result.get("token_ids").size());
    }

    @Test
    void streamingModePrintsTextAndASummary() {
        Run r = run("generate", "--model", TestModels.path("kjv-5m-q80.gguf").toString(),
                "--prompt", "In the beginning", "--max-tokens", "8");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().strip().length() > 0, "streamed text on stdout");
        assertTrue(r.err().contains("tokens/s"), r.err());
    }

    @Test
    void tokenizeTextAndFile(@TempDir Path dir) throws Exception {
        String model = TestModels.path("kjv-5m-q80.gguf").toString();
        JsonNode refs = JSON.readTree(TestModels.path("kjv-references.json").toFile()).get("prompts");
        Run one = run("tokenize", "--model", model, "--text", refs.get(1).get("text").asText());
        assertEquals(0, one.exitCode(), one.err());
        assertEquals(refs.get(1).get("prompt_token_ids"), JSON.readTree(one.out()));

        Path input = dir.resolve("texts.jsonl");
        StringBuilder lines = new StringBuilder();
        for (JsonNode p : refs) {
            lines.append(JSON.writeValueAsString(p.get("text").asText())).append('\n');
        }
        Files.writeString(input, lines);
        Run many = run("tokenize", "--model", model, "--input", input.toString(), "--no-bos");
        assertEquals(0, many.exitCode(), many.err());
        List<String> out = many.out().lines().toList();
        assertEquals(refs.size(), out.size());
        for (int i = 0; i < refs.size(); i++) {
            JsonNode expected = refs.get(i).get("prompt_token_ids");
            JsonNode got = JSON.readTree(out.get(i));
            assertEquals(expected.size() - 1, got.size(), "no BOS with --no-bos");
            for (int j = 0; j < got.size(); j++) {
                assertEquals(expected.get(j + 1), got.get(j));
            }
        }
    }

    /**
     * A vocabulary-only GGUF file (no tensors, an architecture PrefixFlow does not run): Gemma 4's
     * llama.cpp cases, read and printed as llama.cpp's checks read them, one line of ids per case.
     */
    @Test
    void tokenizeReadsAVocabularyOnlyFile(@TempDir Path dir) throws Exception {
        VocabularyExcerpt gemma = VocabularyExcerpt.read(TestModels.path("tokenizer-vocabs/gemma-4.json"));
        Path vocab = gemma.writeGguf(dir.resolve("ggml-vocab-gemma-4.gguf"));
        List<VocabularyExcerpt.Case> cases = gemma.cases();
        StringBuilder lines = new StringBuilder();
        for (VocabularyExcerpt.Case c : cases) {
            lines.append(JSON.writeValueAsString(c.text())).append('\n');
        }
        Path input = Files.writeString(dir.resolve("cases.jsonl"), lines);
        Run r = run("tokenize", "--no-bos", "--model", vocab.toString(), "--input", input.toString());
        assertEquals(0, r.exitCode(), r.err());
        List<String> out = r.out().lines().toList();
        assertEquals(cases.size(), out.size());
        for (int i = 0; i < cases.size(); i++) {
            assertEquals(JSON.valueToTree(cases.get(i).ids()), JSON.readTree(out.get(i)), cases.get(i).text());
        }
        Run withBos = run("tokenize", "--model", vocab.toString(), "--text", "Hello");
        assertEquals(2, JSON.readTree(withBos.out()).get(0).asInt(), "Gemma 4 always adds BOS <bos> (id 2)");
    }

    @Test
    void badInputsGiveClearErrors(@TempDir Path dir) throws Exception {
        Run missing = run("generate", "--model", dir.resolve("nope.gguf").toString(), "--prompt", "x");
        assertEquals(1, missing.exitCode());
        assertTrue(missing.err().contains("model file not found"), missing.err());

        Path junk = dir.resolve("junk.gguf");
        Files.write(junk, new byte[] {'N', 'O', 'P', 'E', 0, 0, 0, 0});
        Run bad = run("generate", "--model", junk.toString(), "--prompt", "x");
        assertEquals(1, bad.exitCode());
        assertTrue(bad.err().contains(junk.toString()), bad.err());

        Run negative = run("generate", "--model", TestModels.path("kjv-5m-q80.gguf").toString(), "--prompt", "x",
                "--max-tokens", "-1");
        assertEquals(1, negative.exitCode());
        assertTrue(negative.err().contains("max_tokens"), negative.err());

        Run outside = run("generate", "--model", TestModels.path("kjv-5m-q80.gguf").toString(),
                "--prompt-ids", "1,99999");
        assertEquals(1, outside.exitCode());
        assertTrue(outside.err().contains("99999"), outside.err());
    }
}
