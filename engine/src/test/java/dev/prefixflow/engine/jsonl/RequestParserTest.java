package dev.prefixflow.engine.jsonl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.prefixflow.engine.RequestResult;
import dev.prefixflow.generate.FinishReason;
import dev.prefixflow.model.LoadedModel;
import dev.prefixflow.model.ModelLoader;
import dev.prefixflow.platform.Platforms;
import dev.prefixflow.sampling.SamplingParams;
import dev.prefixflow.testing.TestModels;
import dev.prefixflow.tokenizer.Tokenizer;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RequestParserTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static LoadedModel model;
    static Tokenizer tokenizer;
    static RequestParser parser;

    @BeforeAll
    static void load() throws Exception {
        model = ModelLoader.load(TestModels.path("kjv-5m-q80.gguf"), Platforms.select(null));
        tokenizer = model.tokenizer();
        parser = new RequestParser(tokenizer, model.config().contextLength());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void plainLineWithDefaults() {
        ParsedLine line = parser.parse("{\"id\":\"a\",\"prompt\":\"In the beginning\"}", 1);
        assertFalse(line.isBad(), line.problem());
        assertEquals("a", line.id());
        assertEquals(LineFormat.PLAIN, line.format());
        assertArrayEquals(tokenizer.encode("In the beginning", true), line.request().promptTokenIds());
        SamplingParams p = line.request().params();
        assertEquals(16, p.maxTokens());
        assertEquals(1.0f, p.temperature());
        assertEquals(1.0f, p.topP());
        assertEquals(RequestParser.seedFor("a"), p.seed());
        assertEquals(p.seed(), parser.parse("{\"id\":\"a\",\"prompt\":\"x\"}", 9).request().params().seed(),
                "the seed depends on the id only");
        assertNotEquals(p.seed(), parser.parse("{\"id\":\"b\",\"prompt\":\"x\"}", 1).request().params().seed());
    }

    @Test
    void plainLineWithEveryField() {
        ParsedLine line = parser.parse("{\"id\":\"x\",\"prompt_token_ids\":[1,450,365],\"max_tokens\":5,"
                + "\"temperature\":0.5,\"top_p\":0.9,\"top_k\":20,\"min_p\":0.1,\"seed\":42,\"stop\":\"LORD\","
                + "\"stop_token_ids\":[2,3],\"ignore_eos\":true,\"logprobs\":true,\"lora\":\"psalms\"}", 1);
        assertFalse(line.isBad(), line.problem());
        assertArrayEquals(new int[] {1, 450, 365}, line.request().promptTokenIds());
        assertEquals(new SamplingParams(5, 0.5f, 20, 0.9f, 0.1f, 42, List.of(2, 3), List.of("LORD"), true, true),
                line.request().params());
        assertEquals("psalms", line.request().lora());
        assertEquals(List.of("a", "b"),
                parser.parse("{\"prompt\":\"x\",\"stop\":[\"a\",\"b\"]}", 4).request().params().stop());
        assertEquals("line-4", parser.parse("{\"prompt\":\"x\"}", 4).request().id());
    }

    @Test
    void openAiBatchLine() {
        ParsedLine line = parser.parse("{\"custom_id\":\"req-1\",\"method\":\"POST\",\"url\":\"/v1/completions\","
                + "\"body\":{\"model\":\"kjv\",\"prompt\":\"And God said\",\"max_tokens\":3,\"temperature\":0}}", 1);
        assertFalse(line.isBad(), line.problem());
        assertEquals(LineFormat.OPENAI_BATCH, line.format());
        assertEquals("req-1", line.id());
        assertEquals("kjv", line.model());
        assertEquals(3, line.request().params().maxTokens());
        assertTrue(line.request().params().isGreedy());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "not json at all|line 7|not valid JSON",
        "[1,2]|line 7|expected a JSON object",
        "{\"id\":\"m\"}|m|no prompt",
        "{\"id\":\"n\",\"prompt\":\"x\",\"max_tokens\":-1}|n|max_tokens must be >= 0",
        "{\"id\":\"t\",\"prompt\":\"x\",\"max_tokens\":\"ten\"}|t|max_tokens must be an integer",
        "{\"id\":\"c\",\"prompt\":\"x\",\"temperature\":-0.5}|c|temperature",
        "{\"id\":\"v\",\"prompt_token_ids\":[1,99999]}|v|99999 is outside the vocabulary",
        "{\"id\":\"e\",\"prompt_token_ids\":[]}|e|the prompt is empty",
        "{\"id\":\"s\",\"prompt\":\"x\",\"stop\":[1]}|s|stop must be",
        "{\"id\":7,\"prompt\":\"x\"}|line 7|id must be a string",
        "{\"custom_id\":\"o\",\"method\":\"POST\",\"url\":\"/v1/embeddings\",\"body\":{\"prompt\":\"x\"}}|o|/v1/embeddings",
        "{\"custom_id\":\"p\",\"body\":{\"prompt\":[\"a\",\"b\"]}}|p|prompt must be a list of integers",
    })
    void badLinesNameTheirProblem(String text, String id, String problem) {
        ParsedLine line = parser.parse(text, 7);
        assertTrue(line.isBad(), text);
        assertEquals(id, line.id());
        assertTrue(line.problem().contains(problem), line.problem());
    }

    @Test
    void promptLongerThanTheContext() {
        String longText = "And it came to pass ".repeat(400);
        ParsedLine line = parser.parse("{\"id\":\"long\",\"prompt\":\"" + longText + "\"}", 1);
        assertTrue(line.isBad());
        assertTrue(line.problem().contains("context length is " + model.config().contextLength()), line.problem());
    }

    @Test
    void outputLinesTakeTheInputFormat() throws Exception {
        ResultWriter writer = new ResultWriter(1_700_000_000L, tokenizer);
        RequestResult result = new RequestResult("x", new int[] {1, 2}, new int[] {5}, " God", FinishReason.LENGTH,
                new RequestResult.Usage(2, 1, 1, 1), new RequestResult.Timings(1, 2, 3), null, null);
        ParsedLine openAi = parser.parse("{\"custom_id\":\"q\",\"body\":{\"model\":\"kjv\",\"prompt\":\"x\"}}", 1);
        JsonNode ok = JSON.readTree(writer.result(openAi, result));
        assertEquals("q", ok.get("custom_id").asText());
        assertTrue(ok.get("id").asText().startsWith("batch_req_"));
        assertTrue(ok.get("error").isNull());
        JsonNode body = ok.get("response").get("body");
        assertEquals(200, ok.get("response").get("status_code").asInt());
        assertEquals("text_completion", body.get("object").asText());
        assertEquals(" God", body.get("choices").get(0).get("text").asText());
        assertEquals("length", body.get("choices").get(0).get("finish_reason").asText());
        assertEquals(3, body.get("usage").get("total_tokens").asInt());

        ParsedLine badOpenAi = parser.parse("{\"custom_id\":\"r\",\"body\":{}}", 2);
        JsonNode err = JSON.readTree(writer.badLine(badOpenAi));
        assertTrue(err.get("response").isNull());
        assertTrue(err.get("error").get("message").asText().contains("no prompt"));

        ParsedLine plain = parser.parse("{\"id\":\"p\",\"prompt\":\"x\"}", 3);
        JsonNode p = JSON.readTree(writer.result(plain, result));
        assertEquals("p", p.get("id").asText());
        assertEquals(JSON.valueToTree(new int[] {5}), p.get("token_ids"));
        assertEquals(1, p.get("usage").get("completion_tokens").asInt());
        assertEquals(1, p.get("usage").get("cached_tokens").asInt());
        assertEquals(1, p.get("usage").get("tier_cached_tokens").asInt());
        assertEquals(2.0, p.get("timings").get("ttft_ms").asDouble());
        assertTrue(p.get("error").isNull());
        assertNull(p.get("logprobs"));
    }
}
