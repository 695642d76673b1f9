package dev.prefixflow.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.prefixflow.engine.RequestResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.Test;

/**
 * The {@code response-format} option on a MiniCluster: every row's text is a JSON document that an
 * independent validator (networknt) accepts under the option's schema, finished by the model ("stop":
 * max-tokens exceeds the longest text the schema admits, 200 characters with JSON's whitespace), and
 * token for token what {@code batch} answers for the same line with that
 * {@code response_format}.
 */
class ResponseFormatTest {
    static final String SCHEMA = "{\"type\": \"object\", \"properties\": {"
            + "\"speaker\": {\"enum\": [\"king\", \"LORD\", \"people\"]},"
            + " \"verse\": {\"type\": \"integer\", \"minimum\": 1, \"maximum\": 176}},"
            + " \"required\": [\"speaker\", \"verse\"], \"additionalProperties\": false}";
    static final String RESPONSE_FORMAT = "{\"type\": \"json_schema\", \"json_schema\": {\"name\": \"speaker\","
            + " \"strict\": true, \"schema\": " + SCHEMA + "}}";

    @Test
    void everyRowsTextValidatesAgainstTheSchema() throws Exception {
        List<Row> rows = MlPredictTest.requests(24);
        TableEnvironment env = MlPredictTest.tableEnvironment(2);
        MlPredictTest.createInput(env, rows);
        env.executeSql("CREATE MODEL speaker INPUT (prompt STRING, id STRING, temperature DOUBLE, seed BIGINT)"
                + " OUTPUT (text STRING, finish_reason STRING, error STRING)"
                + " WITH ('provider' = 'prefixflow', 'model' = '" + MlPredictTest.MODEL + "', 'max-num-seqs' = '8',"
                + " 'max-tokens' = '256', 'response-format' = '" + RESPONSE_FORMAT + "')");
        Map<String, Row> got = MlPredictTest.collect(env, "SELECT id, text, finish_reason, error FROM ML_PREDICT("
                + "TABLE requests, MODEL speaker, DESCRIPTOR(prompt, id, temperature, seed))");

        List<ObjectNode> lines = new ArrayList<>();
        for (Row r : rows) {
            ObjectNode line = MlPredictTest.JSON.createObjectNode().put("id", (String) r.getField(0))
                    .put("prompt", (String) r.getField(1)).put("max_tokens", 256);
            if (r.getField(3) != null) {
                line.put("temperature", (Double) r.getField(3));
            }
            if (r.getField(4) != null) {
                line.put("seed", (Long) r.getField(4));
            }
            line.set("response_format", MlPredictTest.JSON.readTree(RESPONSE_FORMAT));
            lines.add(line);
        }
        Map<String, RequestResult> expected = MlPredictTest.batchAnswers(lines, null);

        var schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(SCHEMA);
        assertEquals(rows.size(), got.size());
        for (Row row : got.values()) {
            String id = (String) row.getField(0);
            assertNull(row.getField(3), id);
            assertEquals("stop", row.getField(2), id + ": " + row);
            JsonNode document = MlPredictTest.JSON.readTree((String) row.getField(1));
            List<Error> errors = schema.validate(document);
            assertTrue(errors.isEmpty(), id + ": " + row.getField(1) + " breaks the schema: " + errors);
            RequestResult want = expected.get(id);
            assertNotNull(want, id);
            assertEquals(want.text(), row.getField(1), id);
        }
        assertEquals(0, SharedEngines.running(), "the engine outlived its last user");
    }
}
