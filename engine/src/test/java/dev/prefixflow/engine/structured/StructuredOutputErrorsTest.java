package dev.prefixflow.engine.structured;

import static dev.prefixflow.engine.structured.StructuredOutputsTest.JSON;
import static dev.prefixflow.engine.structured.StructuredOutputsTest.line;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefixflow.engine.RequestResult;
import dev.prefixflow.generate.FinishReason;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Constraints that cannot be compiled give their request an error result naming the problem, and
 * the rest of the batch is served; an answer that max_tokens cuts short ends with "length".
 */
class StructuredOutputErrorsTest {

    @Test
    void badConstraintsAreErrorResultsAndTheBatchGoesOn() throws Exception {
        List<String> lines = List.of(
                line("keyword", false, "x", 1, 20, "guided_json", JSON.readTree("{\"type\": \"object\", \"minProperties\": 1}")),
                line("nested-keyword", true, "x", 1, 20, "guided_json",
                        JSON.readTree("{\"properties\": {\"a\": {\"type\": \"string\", \"contentEncoding\": \"base64\"}}}")),
                line("format", false, "x", 1, 20, "guided_json", JSON.readTree("{\"type\": \"string\", \"format\": \"email\"}")),
                line("not-json", false, "x", 1, 20, "guided_json", "{\"type\": \"object\""),
                line("regex", true, "x", 1, 20, "guided_regex", "(ab"),
                line("lookahead", false, "x", 1, 20, "guided_regex", "(?=a)b"),
                line("no-choice", false, "x", 1, 20, "guided_choice", List.of()),
                line("contradiction", false, "x", 1, 20, "guided_json",
                        JSON.readTree("{\"type\": \"integer\", \"minimum\": 5, \"maximum\": 2}")),
                line("served", true, "x", 1, 20, "guided_choice", List.of("fine")),
                line("cut", false, "x", 2, 6, "guided_json", JSON.readTree(StructuredOutputsTest.PERSON)),
                line("object-cut", false, "x", 3, 6, "response_format", Map.of("type", "json_object")));
        Map<String, RequestResult> results = StructuredEngines.run(StructuredEngines.qwen2Vocabulary(), 8, lines);
        assertEquals(lines.size(), results.size());
        assertError(results.get("keyword"), "unsupported JSON schema keyword 'minProperties' at #");
        assertError(results.get("nested-keyword"), "'contentEncoding' at #/properties/a");
        assertError(results.get("format"), "unsupported string format 'email'");
        assertError(results.get("not-json"), "not valid JSON");
        assertError(results.get("regex"), "the regex (ab cannot be compiled");
        assertError(results.get("lookahead"), "lookarounds");
        assertError(results.get("no-choice"), "guided_choice is an empty list");
        assertError(results.get("contradiction"), "admits no document");

        RequestResult served = results.get("served");
        assertNull(served.error());
        assertEquals("fine", served.text());
        assertEquals(FinishReason.STOP, served.finishReason());
        for (String id : List.of("cut", "object-cut")) {
            RequestResult cut = results.get(id);
            assertNull(cut.error());
            assertEquals(FinishReason.LENGTH, cut.finishReason());
            assertEquals(6, cut.tokenIds().length);
            assertTrue(cut.text().startsWith("{"), cut.text());
        }
    }

    private static void assertError(RequestResult r, String expected) {
        assertNotNull(r.error(), r.id() + " should have failed");
        assertTrue(r.error().message().contains(expected), r.id() + ": " + r.error().message());
        assertEquals(0, r.tokenIds().length);
    }
}
