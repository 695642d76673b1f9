package dev.prefixflow.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every case of chat-template-cases.json and more-template-cases.json (jinja2 as transformers runs it)
 * renders byte for byte, or raises.
 */
class ChatTemplateCasesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The day the reference renderings' strftime_now returned. */
    static final Clock REFERENCE_DAY = Clock.fixed(Instant.parse("2026-01-15T12:00:00Z"), ZoneOffset.UTC);

    static Stream<Arguments> cases() throws IOException {
        List<Arguments> out = new ArrayList<>();
        for (String file : List.of("chat-template-cases.json", "more-template-cases.json")) {
            int i = 0;
            for (JsonNode c : JSON.readTree(resource(file)).get("cases")) {
                out.add(Arguments.of(file + " " + i++ + " " + c.get("template").asText(), c));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rendersAsTransformers(String name, JsonNode c) throws Exception {
        ChatTemplate template = new ChatTemplate(resource("templates/" + c.get("template").asText()), REFERENCE_DAY);
        List<Map<String, Object>> messages = JSON.convertValue(c.get("messages"), new TypeReference<>() {});
        boolean generationPrompt = c.get("add_generation_prompt").asBoolean();
        String bos = c.get("bos_token").asText();
        String eos = c.get("eos_token").asText();
        if (c.get("raises").isNull()) {
            assertEquals(c.get("expected").asText(), template.render(messages, generationPrompt, bos, eos, Map.of()));
        } else {
            ChatTemplateException e = assertThrows(ChatTemplateException.class,
                    () -> template.render(messages, generationPrompt, bos, eos, Map.of()));
            assertTrue(e.getMessage().contains(c.get("raises").asText()), e.getMessage());
        }
    }

    static String resource(String name) throws IOException {
        try (InputStream in = ChatTemplateCasesTest.class.getResourceAsStream("/chat/" + name)) {
            if (in == null) {
                throw new IOException("missing test resource /chat/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
