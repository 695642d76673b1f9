package dev.prefixflow.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prefixflow.gguf.GgmlType;
import dev.prefixflow.model.synthetic.ModelShape;
import dev.prefixflow.model.synthetic.SyntheticModel;
import dev.prefixflow.testing.TestModels;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chat-template command, tokenize --parse-special and generate --chat. Expected texts are Python
 * jinja2's renderings (as transformers runs it); expected ids are llama.cpp's llama-tokenize.
 */
class ChatCommandsTest {
    static final String QWEN2_VOCAB = TestModels.path("vocab/ggml-vocab-qwen2.gguf").toString();

    @TempDir
    static Path dir;
    static Path model;

    @BeforeAll
    static void writeModel() throws IOException {
        model = dir.resolve("qwen2-vocab-tiny.gguf");
        SyntheticModel.write(ModelShape.parse("tiny,dim=64,ffn=128,heads=2,kv-heads=1,layers=1,tied=true"),
                GgmlType.Q8_0, 7, model, Path.of(QWEN2_VOCAB));
    }

    @Test
    void rendersMessagesExactlyWithAModelsTemplate() throws IOException {
        Path messages = Files.writeString(dir.resolve("m.json"), "[{\"role\":\"user\",\"content\":\"Name a river.\"}]");
        CliTest.Run run = CliTest.run("chat-template", "--model", QWEN2_VOCAB, "--messages", messages.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertEquals("<|im_start|>system\nYou are a helpful assistant<|im_end|>\n<|im_start|>user\nName a river."
                + "<|im_end|>\n<|im_start|>assistant\n", run.out());
        CliTest.Run closed = CliTest.run("chat-template", "--model", QWEN2_VOCAB, "--messages", messages.toString(),
                "--no-generation-prompt");
        assertEquals("<|im_start|>system\nYou are a helpful assistant<|im_end|>\n<|im_start|>user\nName a river."
                + "<|im_end|>\n", closed.out());
    }

    @Test
    void inputLinesGetTextOrErrorInOrder() throws Exception {
        Path template = resourceFile("templates/google-gemma-2-2b-it.jinja");
        Path input = Files.write(dir.resolve("in.jsonl"), List.of(
                "{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"add_generation_prompt\":true}",
                "{\"messages\":[{\"role\":\"system\",\"content\":\"Be terse.\"},{\"role\":\"user\",\"content\":\"Hi\"}]}",
                "{\"messages\":[{\"role\":[\"user\"],\"content\":\"Hi\"}]}",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"add_generation_prompt\":false}"));
        CliTest.Run run = CliTest.run("chat-template", "--template", template.toString(), "--bos-token", "<bos>",
                "--input", input.toString());
        assertEquals(0, run.exitCode(), run.err());
        String[] lines = run.out().split("\n");
        assertEquals(4, lines.length, run.out());
        assertEquals("<bos><start_of_turn>user\nHi<end_of_turn>\n<start_of_turn>model\n",
                CliTest.JSON.readTree(lines[0]).get("text").asText());
        assertEquals("chat template raised: System role not supported",
                CliTest.JSON.readTree(lines[1]).get("error").asText());
        assertTrue(CliTest.JSON.readTree(lines[2]).get("error").asText().contains("role must be a string"), lines[2]);
        assertEquals("<bos><start_of_turn>user\nHi<end_of_turn>\n", CliTest.JSON.readTree(lines[3]).get("text").asText());
    }

    @Test
    void tokenizeParsesSpecialTokensOnlyWhenAsked() throws Exception {
        CliTest.Run literal = CliTest.run("tokenize", "--model", QWEN2_VOCAB, "--text", "<|im_start|>user");
        assertEquals("[27,91,318,4906,91,29,872]", literal.out().strip());
        CliTest.Run parsed = CliTest.run("tokenize", "--model", QWEN2_VOCAB, "--parse-special", "--text", "<|im_start|>user");
        assertEquals("[151644,872]", parsed.out().strip());
    }

    @Test
    void generateChatSendsThePromptAsOneUserMessage() throws Exception {
        CliTest.Run run = CliTest.run("generate", "--model", model.toString(), "--chat", "--prompt", "Name a river.",
                "--max-tokens", "2", "--json");
        assertEquals(0, run.exitCode(), run.err());
        JsonNode out = CliTest.JSON.readTree(run.out());
        int[] ids = CliTest.JSON.convertValue(out.get("prompt_token_ids"), int[].class);
        assertArrayEquals(new int[] {151644, 8948, 198, 2610, 525, 264, 10950, 17847, 151645, 198, 151644, 872, 198,
            675, 264, 14796, 13, 151645, 198, 151644, 77091, 198}, ids);

        CliTest.Run split = CliTest.run("generate", "--model", model.toString(), "--prompt", "<|im_start|>",
                "--split-special-tokens", "--max-tokens", "1", "--json");
        assertEquals("[27,91,318,4906,91,29]", CliTest.JSON.readTree(split.out()).get("prompt_token_ids").toString());
        CliTest.Run parsed = CliTest.run("generate", "--model", model.toString(), "--prompt", "<|im_start|>",
                "--max-tokens", "1", "--json");
        assertEquals("[151644]", CliTest.JSON.readTree(parsed.out()).get("prompt_token_ids").toString());
    }

    static Path resourceFile(String name) throws IOException {
        try (InputStream in = ChatCommandsTest.class.getResourceAsStream("/chat/" + name)) {
            Path file = dir.resolve(Path.of(name).getFileName());
            Files.write(file, in.readAllBytes());
            return file;
        }
    }
}
