package dev.prefixflow.engine.structured;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.prefixflow.engine.RequestResult;
import dev.prefixflow.generate.FinishReason;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Structured outputs on a random-weight model with the real 151,936-token Qwen2 vocabulary: every
 * answer parses, validates against its schema with an independent validator (networknt, format
 * assertions on), matches its regex or is one of its choices, ends with "stop", and comes back token
 * for token the same when the requests run in another batch.
 */
class StructuredOutputsTest {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final SchemaRegistry SCHEMAS = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

    static final String CLASSIFICATION = """
            {"type": "object", "properties": {
               "label": {"enum": ["positive", "negative", "neutral"]},
               "confidence": {"type": "integer", "minimum": 0, "maximum": 100}},
             "required": ["label", "confidence"], "additionalProperties": false}""";
    static final String PERSON = """
            {"type": "object", "properties": {
               "name": {"type": "string", "minLength": 1, "maxLength": 12},
               "age": {"type": "integer", "minimum": -5, "maximum": 130},
               "email": {"type": "string", "pattern": "^[a-z]{1,8}@[a-z]{1,8}\\\\.(com|org)$"},
               "tags": {"type": "array", "items": {"type": "string", "maxLength": 6}, "maxItems": 3},
               "address": {"type": "object", "properties": {
                   "city": {"type": "string", "maxLength": 10},
                   "zip": {"type": "string", "pattern": "^[0-9]{5}$"}},
                 "required": ["city", "zip"], "additionalProperties": false}},
             "required": ["name", "age", "address"], "additionalProperties": false}""";
    static final String EVENT = """
            {"$defs": {"point": {"type": "object", "properties": {
                 "x": {"type": "number", "minimum": -10, "maximum": 10},
                 "y": {"type": "number"}}, "required": ["x", "y"]}},
             "type": "object", "properties": {
               "when": {"type": "string", "format": "date-time"},
               "day": {"type": "string", "format": "date"},
               "id": {"type": "string", "format": "uuid"},
               "at": {"type": "string", "format": "time"},
               "where": {"$ref": "#/$defs/point"},
               "ok": {"type": "boolean"},
               "note": {"anyOf": [{"type": "null"}, {"type": "string", "maxLength": 5}]},
               "kind": {"const": "v1"},
               "level": {"oneOf": [{"type": "integer", "minimum": 1, "maximum": 3}, {"enum": ["high", "low"]}]}},
             "required": ["when", "day", "id", "at", "where", "ok", "note", "kind", "level"]}""";
    static final String DIGITS = """
            {"type": "array", "items": {"type": "integer", "minimum": 1, "maximum": 9}, "minItems": 1, "maxItems": 4}""";
    static final List<String> CHOICES = List.of("yes", "no", "maybe not");
    static final String PLATE = "[A-Z]{2}-\\d{3,4}";
    static final String SENTENCE = "(cat|dog)s? (is|are) (good|bad)\\.";

    /** One request line: a PrefixFlow record, or an OpenAI batch line when {@code openAi}. */
    static String line(String id, boolean openAi, String prompt, long seed, int maxTokens, String field, Object value) {
        ObjectNode body = JSON.createObjectNode();
        body.put("prompt", prompt);
        body.put("max_tokens", maxTokens);
        body.put("temperature", 1.0);
        body.put("seed", seed);
        body.set(field, JSON.valueToTree(value));
        ObjectNode line = JSON.createObjectNode();
        if (openAi) {
            line.put("custom_id", id);
            line.put("method", "POST");
            line.put("url", "/v1/completions");
            body.put("model", "random");
            line.set("body", body);
        } else {
            line.put("id", id);
            line.setAll(body);
        }
        return line.toString();
    }

    static Object responseFormat(String schema) throws Exception {
        return Map.of("type", "json_schema", "json_schema",
                Map.of("name", "answer", "strict", true, "schema", JSON.readTree(schema)));
    }

    @Test
    void everyConstrainedAnswerIsValidAndReproducible() throws Exception {
        Map<String, String> schemas = Map.of("classification", CLASSIFICATION, "person", PERSON, "event", EVENT,
                "digits", DIGITS);
        List<String> lines = new ArrayList<>();
        lines.add(line("classification", false, "Review: a fine film.", 1, 60, "response_format",
                responseFormat(CLASSIFICATION)));
        lines.add(line("person-openai", true, "Who?", 2, 200, "guided_json", JSON.readTree(PERSON)));
        lines.add(line("event", false, "When?", 3, 240, "guided_json", EVENT));
        lines.add(line("digits-openai", true, "Digits:", 4, 60, "response_format", responseFormat(DIGITS)));
        lines.add(line("choice", false, "Yes or no?", 5, 20, "guided_choice", CHOICES));
        lines.add(line("choice-openai", true, "Yes or no?", 6, 20, "guided_choice", CHOICES));
        lines.add(line("plate", false, "A plate:", 7, 30, "guided_regex", PLATE));
        lines.add(line("sentence-openai", true, "Say:", 8, 30, "guided_regex", SENTENCE));
        lines.add(line("free", false, "Free text", 9, 12, "ignore_eos", true));

        Map<String, RequestResult> together = StructuredEngines.run(StructuredEngines.qwen2Vocabulary(), 16, lines);
        assertEquals(lines.size(), together.size());
        for (RequestResult r : together.values()) {
            assertNull(r.error(), r.id() + ": " + r.error());
            String name = r.id().substring(0, r.id().indexOf('-') < 0 ? r.id().length() : r.id().indexOf('-'));
            if (name.equals("free")) {
                assertEquals(FinishReason.LENGTH, r.finishReason());
                continue;
            }
            assertEquals(FinishReason.STOP, r.finishReason(), r.id() + " did not finish: " + r.text());
            if (schemas.containsKey(name)) {
                assertValid(schemas.get(name), r.text());
            } else if (name.equals("choice")) {
                assertTrue(CHOICES.contains(r.text()), r.text());
            } else {
                String regex = name.equals("plate") ? PLATE : SENTENCE;
                assertTrue(Pattern.matches(regex, r.text()), r.text() + " does not match " + regex);
            }
        }

        // Another batch (two at a time, reverse order) gives the same tokens: masks keep the seed rule.
        List<String> reversed = new ArrayList<>(lines);
        Collections.reverse(reversed);
        Map<String, RequestResult> apart = StructuredEngines.run(StructuredEngines.qwen2Vocabulary(), 3, reversed);
        for (RequestResult r : together.values()) {
            assertArrayEquals(r.tokenIds(), apart.get(r.id()).tokenIds(), r.id());
        }
    }

    static void assertValid(String schema, String text) throws Exception {
        JsonNode document = JSON.readTree(text);
        Schema s = SCHEMAS.getSchema(schema);
        List<Error> errors = s.validate(document,
                context -> context.executionConfig(config -> config.formatAssertionsEnabled(true)));
        assertTrue(errors.isEmpty(), text + " breaks its schema: " + errors);
    }
}
