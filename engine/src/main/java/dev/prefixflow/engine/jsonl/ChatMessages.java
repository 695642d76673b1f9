package dev.prefixflow.engine.jsonl;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a request's {@code messages} into what a chat template reads: each message a map with a
 * string role and a string content (OpenAI's list of {@code {"type": "text"}} parts joined by newlines,
 * as vLLM joins them for templates that expect a string); other fields pass through unchanged.
 */
public final class ChatMessages {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ChatMessages() {
    }

    public static List<Map<String, Object>> read(JsonNode messages) {
        if (!messages.isArray() || messages.isEmpty()) {
            throw new IllegalArgumentException("messages must be a non-empty list of {\"role\", \"content\"} objects");
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            if (!m.isObject()) {
                throw new IllegalArgumentException("messages[" + i + "] must be an object, got " + m);
            }
            JsonNode role = m.get("role");
            if (role == null || !role.isTextual()) {
                throw new IllegalArgumentException("messages[" + i + "].role must be a string, got " + role);
            }
            Map<String, Object> message = JSON.convertValue(m, new TypeReference<LinkedHashMap<String, Object>>() {});
            message.put("content", content(m.get("content"), i));
            out.add(message);
        }
        return out;
    }

    private static String content(JsonNode content, int index) {
        if (content == null || content.isNull()) {
            return null;
        }
        if (content.isTextual()) {
            return content.asText();
        }
        if (!content.isArray()) {
            throw new IllegalArgumentException("messages[" + index + "].content must be a string or a list of"
                    + " content parts, got " + content);
        }
        List<String> texts = new ArrayList<>();
        for (JsonNode part : content) {
            JsonNode type = part.get("type");
            if (type == null || !type.isTextual()) {
                throw new IllegalArgumentException("messages[" + index + "].content: each part needs a string type");
            }
            if (!type.asText().equals("text")) {
                throw new IllegalArgumentException("messages[" + index + "].content: part type '" + type.asText()
                        + "' is not supported (only 'text')");
            }
            JsonNode text = part.get("text");
            if (text == null || !text.isTextual()) {
                throw new IllegalArgumentException("messages[" + index + "].content: a text part needs a string text");
            }
            texts.add(text.asText());
        }
        return String.join("\n", texts);
    }
}
