package dev.prefixflow.engine.jsonl;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prefixflow.engine.structured.StructuredOutputsParams;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a request's output constraint: OpenAI's {@code response_format} ({@code {"type": "text" |
 * "json_object" | "json_schema", "json_schema": {"name", "schema", "strict"}}}) or vLLM's {@code
 * guided_json}, {@code guided_choice} and {@code guided_regex}. Only the fields' shapes are checked
 * here; the constraint itself is compiled (and its problems reported) when the engine admits it.
 */
public final class StructuredOutputsFields {
    private static final List<String> GUIDED = List.of("guided_json", "guided_choice", "guided_regex",
            "guided_grammar");

    private StructuredOutputsFields() {
    }

    /** The constraint the fields ask for, or null for free text. */
    static StructuredOutputsParams read(JsonNode f) {
        List<StructuredOutputsParams> found = new ArrayList<>();
        StructuredOutputsParams responseFormat = responseFormat(f.get("response_format"));
        if (responseFormat != null) {
            found.add(responseFormat);
        }
        for (String name : GUIDED) {
            JsonNode n = f.get(name);
            if (n != null && !n.isNull()) {
                found.add(guided(name, n));
            }
        }
        if (found.size() > 1) {
            throw new IllegalArgumentException("give one of response_format, " + String.join(", ", GUIDED)
                    + ", not several");
        }
        return found.isEmpty() ? null : found.get(0);
    }

    private static StructuredOutputsParams guided(String name, JsonNode n) {
        return switch (name) {
            case "guided_json" -> StructuredOutputsParams.jsonSchema(n.isTextual() ? n.asText() : schema(name, n));
            case "guided_regex" -> StructuredOutputsParams.regex(text(name, n));
            case "guided_choice" -> StructuredOutputsParams.choice(strings(name, n));
            default -> throw new IllegalArgumentException(name + " (GBNF grammars) is not supported; use guided_json,"
                    + " guided_regex or guided_choice");
        };
    }

    /** The constraint of an OpenAI {@code response_format} value, or null for free text (absent or "text"). */
    public static StructuredOutputsParams responseFormat(JsonNode format) {
        if (format == null || format.isNull()) {
            return null;
        }
        if (!format.isObject()) {
            throw new IllegalArgumentException("response_format must be an object");
        }
        String type = text("response_format.type", format.path("type"));
        return switch (type) {
            case "text" -> null;
            case "json_object" -> StructuredOutputsParams.anyJsonObject();
            case "json_schema" -> {
                JsonNode spec = format.get("json_schema");
                if (spec == null || !spec.isObject()) {
                    throw new IllegalArgumentException("response_format.json_schema must be an object with a schema");
                }
                JsonNode strict = spec.get("strict");
                if (strict != null && !strict.isNull() && !strict.isBoolean()) {
                    throw new IllegalArgumentException("response_format.json_schema.strict must be true or false");
                }
                JsonNode schema = spec.get("schema");
                if (schema == null || schema.isNull()) {
                    throw new IllegalArgumentException("response_format.json_schema has no schema");
                }
                yield StructuredOutputsParams.jsonSchema(schema("response_format.json_schema.schema", schema));
            }
            default -> throw new IllegalArgumentException("response_format.type '" + type
                    + "' is not supported (text, json_object, json_schema)");
        };
    }

    private static String schema(String name, JsonNode n) {
        if (!n.isObject() && !n.isBoolean()) {
            throw new IllegalArgumentException(name + " must be a JSON schema (an object), got " + n);
        }
        return n.toString();
    }

    private static String text(String name, JsonNode n) {
        if (!n.isTextual()) {
            throw new IllegalArgumentException(name + " must be a string, got " + n);
        }
        return n.asText();
    }

    private static List<String> strings(String name, JsonNode n) {
        if (!n.isArray()) {
            throw new IllegalArgumentException(name + " must be a list of strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode v : n) {
            out.add(text(name + " entries", v));
        }
        return out;
    }
}
