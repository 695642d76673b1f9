package dev.prefixflow.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prefixflow.chat.ChatFormat;
import dev.prefixflow.engine.EngineFactory;
import dev.prefixflow.engine.EngineSession;
import dev.prefixflow.engine.EngineSettings;
import dev.prefixflow.engine.RequestResult;
import dev.prefixflow.engine.jsonl.ParsedLine;
import dev.prefixflow.engine.jsonl.RequestParser;
import dev.prefixflow.model.LoadedModel;
import dev.prefixflow.model.ModelLoader;
import dev.prefixflow.platform.Platform;
import dev.prefixflow.platform.Platforms;
import dev.prefixflow.testing.TestModels;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;

/**
 * CREATE MODEL with the prefixflow provider and ML_PREDICT, planned by Flink's planner and run on a
 * MiniCluster: every row's text is
 * token for token what the {@code batch} path (the JSONL parser and an engine session) answers for
 * the same request, and rows that cannot be served get an error value while the others are answered.
 */
class MlPredictTest {
    static final String MODEL = TestModels.path("kjv-5m-q80.gguf").toString();
    static final ObjectMapper JSON = new ObjectMapper();

    /** Prompts that share prefixes (so the prefix cache is used), greedy and sampled, seeded or not. */
    static List<Row> requests(int n) {
        String[] starts = {"In the beginning God created", "And the LORD spake unto Moses, saying,",
                "Blessed is the man that walketh not", "Then the king"};
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String prompt = starts[i % starts.length] + " " + "and the people ".repeat(i % 3) + "verse " + i;
            Double temperature = i % 2 == 0 ? Double.valueOf(0) : i % 3 == 0 ? null : Double.valueOf(0.8);
            Long seed = i % 5 == 1 ? (long) i : null;
            rows.add(Row.of("req-" + i, prompt, 3 + i % 4, temperature, seed));
        }
        return rows;
    }

    static TableEnvironment tableEnvironment(int parallelism) {
        TableEnvironment env = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        env.getConfig().set("parallelism.default", Integer.toString(parallelism));
        return env;
    }

    static void createInput(TableEnvironment env, List<Row> rows) {
        env.createTemporaryView("requests", env.fromValues(DataTypes.ROW(
                DataTypes.FIELD("id", DataTypes.STRING()),
                DataTypes.FIELD("prompt", DataTypes.STRING()),
                DataTypes.FIELD("max_tokens", DataTypes.INT()),
                DataTypes.FIELD("temperature", DataTypes.DOUBLE()),
                DataTypes.FIELD("seed", DataTypes.BIGINT())), rows));
    }

    static void createModel(TableEnvironment env, String extraOptions) {
        env.executeSql("CREATE MODEL kjv"
                + " INPUT (prompt STRING, id STRING, max_tokens INT, temperature DOUBLE, seed BIGINT)"
                + " OUTPUT (text STRING, finish_reason STRING, completion_tokens INT, prompt_tokens INT, error STRING)"
                + " WITH ('provider' = 'prefixflow', 'model' = '" + MODEL + "', 'max-num-seqs' = '8'" + extraOptions
                + ")");
    }

    static final String QUERY = "SELECT id, text, finish_reason, completion_tokens, prompt_tokens, error"
            + " FROM ML_PREDICT(TABLE requests, MODEL kjv, DESCRIPTOR(prompt, id, max_tokens, temperature, seed))";

    /** The query's rows by id. */
    static Map<String, Row> collect(TableEnvironment env, String query) throws Exception {
        Map<String, Row> byId = new HashMap<>();
        try (CloseableIterator<Row> it = env.executeSql(query).collect()) {
            while (it.hasNext()) {
                Row row = it.next();
                assertNull(byId.put((String) row.getField(0), row), "two answers for " + row.getField(0));
            }
        }
        return byId;
    }

    /** What `batch` answers: each row as a JSONL request line, through its parser and an engine session. */
    static Map<String, RequestResult> batchAnswers(List<Row> rows) throws Exception {
        List<ObjectNode> lines = new ArrayList<>();
        for (Row r : rows) {
            ObjectNode line = JSON.createObjectNode().put("id", (String) r.getField(0))
                    .put("prompt", (String) r.getField(1)).put("max_tokens", (Integer) r.getField(2));
            if (r.getField(3) != null) {
                line.put("temperature", (Double) r.getField(3));
            }
            if (r.getField(4) != null) {
                line.put("seed", (Long) r.getField(4));
            }
            lines.add(line);
        }
        return batchAnswers(lines, null);
    }

    /**
     * What `batch` answers for these request lines, by id: read by its parser (with this chat template,
     * or the model's when null) and run in one engine session.
     */
    static Map<String, RequestResult> batchAnswers(List<ObjectNode> lines, String chatTemplate) throws Exception {
        Platform platform = Platforms.select(null);
        Map<String, RequestResult> answers = new HashMap<>();
        try (LoadedModel model = ModelLoader.load(java.nio.file.Path.of(MODEL), platform)) {
            EngineSession<String> session = new EngineSession<>(EngineFactory.create(model, platform,
                    EngineSettings.of(MODEL)));
            RequestParser parser = new RequestParser(model.tokenizer(), model.config().contextLength(),
                    ChatFormat.of(model.file(), model.tokenizer(), chatTemplate));
            int number = 0;
            for (ObjectNode line : lines) {
                ParsedLine parsed = parser.parse(line.toString(), ++number);
                assertNull(parsed.problem(), line.toString());
                session.add(parsed.request(), parsed.id());
            }
            for (EngineSession.Finished<String> f : session.runUntilDone()) {
                answers.put(f.attachment(), f.result());
            }
        }
        return answers;
    }

    @Test
    void everyRowIsAnsweredAsBatchAnswersIt() throws Exception {
        List<Row> rows = requests(36);
        TableEnvironment env = tableEnvironment(2);
        createInput(env, rows);
        createModel(env, "");
        Map<String, Row> got = collect(env, QUERY);
        Map<String, RequestResult> expected = batchAnswers(rows);

        assertEquals(rows.size(), got.size());
        for (Map.Entry<String, RequestResult> e : expected.entrySet()) {
            Row row = got.get(e.getKey());
            assertNotNull(row, "no answer for " + e.getKey());
            RequestResult want = e.getValue();
            assertNull(row.getField(5), e.getKey());
            assertEquals(want.text(), row.getField(1), e.getKey());
            assertEquals(want.finishReason().apiName(), row.getField(2), e.getKey());
            assertEquals(want.usage().completionTokens(), row.getField(3), e.getKey());
            assertEquals(want.usage().promptTokens(), row.getField(4), e.getKey());
        }
        assertTrue(got.values().stream().anyMatch(r -> !((String) r.getField(1)).isEmpty()), "all texts empty");
        assertEquals(0, SharedEngines.running(), "the engine outlived its last user");
    }

    @Test
    void rowsThatCannotBeServedGetAnErrorWhileTheOthersAreAnswered() throws Exception {
        List<Row> rows = new ArrayList<>(requests(6));
        rows.add(Row.of("too-long", "And the LORD said unto Moses ".repeat(400), 4, 0.0, null));
        rows.add(Row.of("no-prompt", null, 4, 0.0, null));
        rows.add(Row.of("negative", "Then the king", -1, 0.0, null));
        TableEnvironment env = tableEnvironment(1);
        createInput(env, rows);
        createModel(env, "");
        Map<String, Row> got = collect(env, QUERY);

        assertEquals(rows.size(), got.size());
        assertError(got.get("too-long"), "context length");
        assertError(got.get("no-prompt"), "the prompt is NULL");
        assertError(got.get("negative"), "max_tokens must be >= 0");
        Map<String, RequestResult> expected = batchAnswers(rows.subList(0, 6));
        expected.forEach((id, want) -> assertEquals(want.text(), got.get(id).getField(1), id));
    }

    private static void assertError(Row row, String reason) {
        assertNotNull(row.getField(5), row.toString());
        assertTrue(((String) row.getField(5)).contains(reason), row.toString());
        assertNull(row.getField(1), row.toString());
        assertNull(row.getField(2), row.toString());
    }
}
