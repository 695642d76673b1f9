package dev.prefixflow.engine.jsonl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.prefixflow.engine.structured.StructuredOutputsParams;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Request fields that ask for structured outputs, in OpenAI's and vLLM's spellings. */
class StructuredOutputsFieldsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static StructuredOutputsParams read(String fields) throws Exception {
        return StructuredOutputsFields.read(JSON.readTree(fields));
    }

    @Test
    void openAiResponseFormats() throws Exception {
        assertNull(read("{\"prompt\": \"x\"}"));
        assertNull(read("{\"response_format\": {\"type\": \"text\"}}"));
        assertEquals(StructuredOutputsParams.anyJsonObject(), read("{\"response_format\": {\"type\": \"json_object\"}}"));
        StructuredOutputsParams schema = read("{\"response_format\": {\"type\": \"json_schema\", \"json_schema\": "
                + "{\"name\": \"a\", \"strict\": true, \"schema\": {\"type\": \"integer\"}}}}");
        assertEquals(JSON.readTree("{\"type\": \"integer\"}"), JSON.readTree(schema.json()));
    }

    @Test
    void vllmGuidedFields() throws Exception {
        assertEquals(StructuredOutputsParams.choice(List.of("a", "b")), read("{\"guided_choice\": [\"a\", \"b\"]}"));
        assertEquals(StructuredOutputsParams.regex("[0-9]+"), read("{\"guided_regex\": \"[0-9]+\"}"));
        JsonNode fromObject = JSON.readTree(read("{\"guided_json\": {\"type\": \"boolean\"}}").json());
        assertEquals(JSON.readTree("{\"type\": \"boolean\"}"), fromObject);
        // A schema given as a string is kept as written: it is parsed (and may fail) at admission.
        assertEquals("{not json", read("{\"guided_json\": \"{not json\"}").json());
        // An empty choice list is read; the engine answers it with an error result.
        assertEquals(List.of(), read("{\"guided_choice\": []}").choice());
    }

    @Test
    void badShapesNameTheField() {
        for (String[] c : new String[][] {
                {"{\"guided_grammar\": \"root ::= \\\"a\\\"\"}", "guided_grammar (GBNF grammars) is not supported"},
                {"{\"guided_choice\": \"yes\"}", "guided_choice must be a list of strings"},
                {"{\"guided_choice\": [1]}", "guided_choice entries must be a string"},
                {"{\"guided_regex\": 5}", "guided_regex must be a string"},
                {"{\"response_format\": {\"type\": \"xml\"}}", "response_format.type 'xml' is not supported"},
                {"{\"response_format\": {\"type\": \"json_schema\"}}", "response_format.json_schema must be an object"},
                {"{\"guided_regex\": \"a\", \"guided_choice\": [\"a\"]}", "not several"}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> read(c[0]));
            assertTrue(e.getMessage().contains(c[1]), e.getMessage());
        }
    }
}
