package dev.prefixflow.engine.jsonl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.prefixflow.chat.ChatFormat;
import dev.prefixflow.engine.EngineFactory;
import dev.prefixflow.engine.EngineSession;
import dev.prefixflow.engine.EngineSettings;
import dev.prefixflow.engine.LlmEngine;
import dev.prefixflow.engine.RequestResult;
import dev.prefixflow.gguf.GgmlType;
import dev.prefixflow.model.LoadedModel;
import dev.prefixflow.model.ModelLoader;
import dev.prefixflow.model.synthetic.ModelShape;
import dev.prefixflow.model.synthetic.SyntheticModel;
import dev.prefixflow.platform.Platform;
import dev.prefixflow.platform.Platforms;
import dev.prefixflow.testing.TestModels;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Chat requests end to end on a tiny random-weight model behind Qwen2's real vocabulary and chat template
 * (models/vocab/ggml-vocab-qwen2.gguf). Expected prompt ids: the template rendered by Python jinja2, then
 * tokenized by llama.cpp's llama-tokenize (special tokens parsed, no BOS).
 */
class ChatRequestTest {
    static final ObjectMapper JSON = new ObjectMapper();
    /** jinja2's rendering of the messages below, tokenized by llama-tokenize --no-bos. */
    static final int[] RENDERED_IDS = {151644, 8948, 198, 2610, 525, 50537, 13, 151645, 198, 151644, 872, 198, 6464,
        2391, 23455, 0, 3988, 264, 14796, 13, 151645, 198, 151644, 77091, 198};
    static final String MESSAGES = "[{\"role\":\"system\",\"content\":\"You are terse.\"},"
            + "{\"role\":\"user\",\"content\":\"Grüße! Name a river.\"}]";

    @TempDir
    static Path dir;
    static LoadedModel model;
    static Platform platform;
    static RequestParser parser;

    @BeforeAll
    static void load() throws Exception {
        Path file = dir.resolve("qwen2-vocab-tiny.gguf");
        SyntheticModel.write(ModelShape.parse("tiny,dim=64,ffn=128,heads=2,kv-heads=1,layers=1,tied=true"),
                GgmlType.Q8_0, 7, file, TestModels.path("vocab/ggml-vocab-qwen2.gguf"));
        platform = Platforms.select(null);
        model = ModelLoader.load(file, platform);
        parser = new RequestParser(model.tokenizer(), model.config().contextLength(),
                ChatFormat.of(model.file(), model.tokenizer(), null));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void messagesBecomeTheTemplatesPromptWithSpecialTokensParsed() {
        ParsedLine record = parser.parse("{\"id\":\"c\",\"messages\":" + MESSAGES + "}", 1);
        assertFalse(record.isBad(), record.problem());
        assertArrayEquals(RENDERED_IDS, record.request().promptTokenIds());
        ParsedLine parts = parser.parse("{\"id\":\"p\",\"messages\":[{\"role\":\"system\",\"content\":[{\"type\":\"text\","
                + "\"text\":\"You are terse.\"}]},{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Grüße!\"},"
                + "{\"type\":\"text\",\"text\":\"Name a river.\"}]}]}", 2);
        assertFalse(parts.isBad(), parts.problem());
        // Text parts are joined by a newline.
        String joined = model.tokenizer().decode(parts.request().promptTokenIds());
        assertTrue(joined.contains("Grüße!\nName a river."), joined);
        ParsedLine noGenerationPrompt = parser.parse("{\"id\":\"g\",\"add_generation_prompt\":false,\"messages\":"
                + MESSAGES + "}", 3);
        assertArrayEquals(java.util.Arrays.copyOf(RENDERED_IDS, RENDERED_IDS.length - 3),
                noGenerationPrompt.request().promptTokenIds());
    }

    @Test
    void rawPromptsParseSpecialTokensUnlessSplitIsAsked() {
        ParsedLine parsed = parser.parse("{\"id\":\"r\",\"prompt\":\"<|im_start|>user\\nHi<|im_end|>\"}", 1);
        assertArrayEquals(new int[] {151644, 872, 198, 13048, 151645}, parsed.request().promptTokenIds());
        ParsedLine split = parser.parse("{\"id\":\"s\",\"prompt\":\"<|im_start|>user\",\"split_special_tokens\":true}", 2);
        assertArrayEquals(new int[] {27, 91, 318, 4906, 91, 29, 872}, split.request().promptTokenIds());
    }

    @Test
    void openAiChatLineIsAnsweredAsAChatCompletion() throws Exception {
        ParsedLine line = parser.parse("{\"custom_id\":\"q\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\","
                + "\"body\":{\"model\":\"tiny\",\"messages\":" + MESSAGES + ",\"max_completion_tokens\":4,"
                + "\"temperature\":0,\"user\":\"u1\",\"metadata\":{\"k\":\"v\"},\"stream\":false}}", 1);
        assertFalse(line.isBad(), line.problem());
        assertEquals(LineFormat.OPENAI_CHAT, line.format());
        assertArrayEquals(RENDERED_IDS, line.request().promptTokenIds());
        LlmEngine engine = EngineFactory.create(model, platform,
                EngineSettings.of(model.path().toString()).withLimits(2, 64, 16, 8));
        engine.addRequest(line.request());
        RequestResult result = engine.runUntilDone().get(0);
        JsonNode out = JSON.readTree(new ResultWriter(1_700_000_000L, model.tokenizer()).result(line, result));
        JsonNode body = out.get("response").get("body");
        assertEquals("chat.completion", body.get("object").asText());
        assertTrue(body.get("id").asText().startsWith("chatcmpl-"));
        JsonNode choice = body.get("choices").get(0);
        assertEquals("assistant", choice.get("message").get("role").asText());
        assertEquals(result.text(), choice.get("message").get("content").asText());
        assertEquals(4, body.get("usage").get("completion_tokens").asInt());
        assertEquals(RENDERED_IDS.length, body.get("usage").get("prompt_tokens").asInt());
    }

    @Test
    void choicesAndTopLogprobsInTheChatCompletionShape() throws Exception {
        ParsedLine line = parser.parse("{\"custom_id\":\"w\",\"url\":\"/v1/chat/completions\",\"body\":{\"messages\":"
                + MESSAGES + ",\"max_tokens\":3,\"temperature\":1,\"seed\":5,\"n\":3,\"logprobs\":true,"
                + "\"top_logprobs\":4}}", 1);
        assertFalse(line.isBad(), line.problem());
        EngineSession<ParsedLine> session = new EngineSession<>(EngineFactory.create(model, platform,
                EngineSettings.of(model.path().toString()).withLimits(4, 64, 16, 16)));
        session.add(line.request(), line);
        EngineSession.Finished<ParsedLine> done = session.runUntilDone().get(0);
        JsonNode body = JSON.readTree(new ResultWriter(0, model.tokenizer()).result(line, done.choices()))
                .get("response").get("body");
        assertEquals(3, body.get("choices").size());
        assertEquals(9, body.get("usage").get("completion_tokens").asInt(), "every choice's tokens count");
        for (int i = 0; i < 3; i++) {
            JsonNode choice = body.get("choices").get(i);
            assertEquals(i, choice.get("index").asInt());
            JsonNode content = choice.get("logprobs").get("content");
            assertEquals(3, content.size());
            StringBuilder text = new StringBuilder();
            for (JsonNode token : content) {
                text.append(token.get("token").asText());
                assertEquals(4, token.get("top_logprobs").size());
                assertTrue(token.get("logprob").asDouble() <= token.get("top_logprobs").get(0).get("logprob").asDouble());
            }
            // The tokens' texts spell the message, spaces included.
            assertEquals(choice.get("message").get("content").asText(), text.toString());
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"id\":\"a\",\"messages\":[{\"role\":1,\"content\":\"x\"}]}|messages[0].role must be a string",
        "{\"id\":\"b\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{}}]}]}|part type 'image_url' is not supported",
        "{\"id\":\"c\",\"prompt\":\"x\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}|not several",
        "{\"id\":\"d\",\"messages\":[]}|messages must be a non-empty list",
        "{\"id\":\"e\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"add_generation_prompt\":true,\"continue_final_message\":true}|cannot both be true",
        "{\"id\":\"f\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"chat_template_kwargs\":[1]}|chat_template_kwargs must be an object",
        "{\"custom_id\":\"g\",\"url\":\"/v1/chat/completions\",\"body\":{\"prompt\":\"x\"}}|needs \"messages\"",
        "{\"custom_id\":\"h\",\"url\":\"/v1/completions\",\"body\":{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}}|belong to /v1/chat/completions",
        "{\"custom_id\":\"i\",\"url\":\"/v1/chat/completions\",\"body\":{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"logit_bias\":{\"5\":3}}}|logit_bias is not supported",
        "{\"custom_id\":\"j\",\"url\":\"/v1/chat/completions\",\"body\":{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"tools\":[{\"type\":\"function\"}]}}|tools is not supported",
        "{\"custom_id\":\"k\",\"url\":\"/v1/chat/completions\",\"body\":{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"best_of\":3}}|best_of is not supported",
        "{\"custom_id\":\"l\",\"url\":\"/v1/chat/completions\",\"body\":{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"stream\":true}}|stream is not supported",
        "{\"id\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"n\":0}|n must be >= 1, got 0",
        "{\"id\":\"o\",\"prompt\":\"x\",\"logprobs\":true,\"top_logprobs\":21}|top_logprobs must be in [0, 20]",
        "{\"id\":\"q\",\"prompt\":\"x\",\"top_logprobs\":2}|top_logprobs needs logprobs",
        "{\"id\":\"r\",\"prompt\":\"x\",\"presence_penalty\":3}|presence_penalty must be in [-2, 2]",
        "{\"id\":\"s\",\"prompt\":\"x\",\"repetition_penalty\":0}|repetition_penalty must be a finite number > 0",
    })
    void badChatLinesNameTheirProblem(String text, String problem) {
        ParsedLine line = parser.parse(text, 1);
        assertTrue(line.isBad(), text);
        assertTrue(line.problem().contains(problem), line.problem());
    }

    @Test
    void templateErrorsAndMissingTemplatesAreThatRequestsError() throws Exception {
        RequestParser raising = new RequestParser(model.tokenizer(), model.config().contextLength(),
                ChatFormat.of("{% if messages[0].role == 'system' %}{{ raise_exception('System role not supported') }}"
                        + "{% endif %}{{ messages[0].content }}", model.tokenizer()));
        ParsedLine bad = raising.parse("{\"id\":\"t\",\"messages\":" + MESSAGES + "}", 1);
        assertEquals("chat template raised: System role not supported", bad.problem());
        ParsedLine good = raising.parse("{\"id\":\"u\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}", 2);
        assertFalse(good.isBad(), good.problem());
        assertArrayEquals(new int[] {13048}, good.request().promptTokenIds());

        RequestParser noTemplate = new RequestParser(model.tokenizer(), model.config().contextLength());
        assertTrue(noTemplate.parse("{\"id\":\"v\",\"messages\":" + MESSAGES + "}", 1).problem()
                .contains("the model has no chat template"));
    }
}
