package dev.prefixflow.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prefixflow.engine.RequestResult;
import dev.prefixflow.testing.TestModels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.Test;

/**
 * Task {@code chat} on a MiniCluster: the messages column (ARRAY&lt;ROW&lt;role, content&gt;&gt;) is
 * rendered with the {@code chat-template} option's template (the example template for kjv-5m, which has
 * none of its own), and every row's text is what {@code batch} answers for the same {@code messages}
 * line. A row the template refuses, or any row of a model without a template, gets its reason in
 * {@code error} while the query goes on.
 */
class ChatPredictTest {
    static final Path TEMPLATE = TestModels.path("kjv-5m-q80.gguf").getParent().getParent()
            .resolve("examples/kjv-chat-template.jinja");

    static final String QUERY = "SELECT id, text, finish_reason, completion_tokens, prompt_tokens, error FROM"
            + " ML_PREDICT(TABLE conversations, MODEL kjv_chat, DESCRIPTOR(messages, id, max_tokens, temperature))";

    static Row message(String role, String content) {
        return Row.of(role, content);
    }

    /** Conversations that share their system message (so the prefix cache is used), greedy and sampled. */
    static List<Row> conversations(int n) {
        String[] questions = {"Who made the heaven and the earth?", "What shall we eat?", "Where is the king?",
                "Who shall go up for us?"};
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<Row> messages = new ArrayList<>();
            if (i % 3 != 2) {
                messages.add(message("system", "Hear the word of the LORD."));
            }
            messages.add(message("user", questions[i % questions.length]));
            if (i % 4 == 3) {
                messages.add(message("assistant", "The LORD knoweth."));
                messages.add(message("user", "And the people, verse " + i + "?"));
            }
            rows.add(Row.of("chat-" + i, messages.toArray(new Row[0]), 3 + i % 4, i % 2 == 0 ? 0.0 : 0.8));
        }
        return rows;
    }

    static void createConversations(TableEnvironment env, List<Row> rows) {
        env.createTemporaryView("conversations", env.fromValues(DataTypes.ROW(
                DataTypes.FIELD("id", DataTypes.STRING()),
                DataTypes.FIELD("messages", DataTypes.ARRAY(DataTypes.ROW(
                        DataTypes.FIELD("role", DataTypes.STRING()), DataTypes.FIELD("content", DataTypes.STRING())))),
                DataTypes.FIELD("max_tokens", DataTypes.INT()),
                DataTypes.FIELD("temperature", DataTypes.DOUBLE())), rows));
    }

    static void createChatModel(TableEnvironment env, String extraOptions) {
        env.executeSql("CREATE MODEL kjv_chat"
                + " INPUT (messages ARRAY<ROW<role STRING, content STRING>>, id STRING, max_tokens INT, temperature DOUBLE)"
                + " OUTPUT (text STRING, finish_reason STRING, completion_tokens INT, prompt_tokens INT, error STRING)"
                + " WITH ('provider' = 'prefixflow', 'model' = '" + MlPredictTest.MODEL + "', 'task' = 'chat',"
                + " 'max-num-seqs' = '8'" + extraOptions + ")");
    }

    /** The rows as `batch` request lines with "messages". */
    static List<ObjectNode> lines(List<Row> rows) {
        List<ObjectNode> lines = new ArrayList<>();
        for (Row r : rows) {
            ObjectNode line = MlPredictTest.JSON.createObjectNode().put("id", (String) r.getField(0))
                    .put("max_tokens", (Integer) r.getField(2)).put("temperature", (Double) r.getField(3));
            ArrayNode messages = line.putArray("messages");
            for (Row m : (Row[]) r.getField(1)) {
                messages.addObject().put("role", (String) m.getField(0)).put("content", (String) m.getField(1));
            }
            lines.add(line);
        }
        return lines;
    }

    @Test
    void everyConversationIsAnsweredAsBatchAnswersIt() throws Exception {
        List<Row> rows = conversations(16);
        TableEnvironment env = MlPredictTest.tableEnvironment(2);
        createConversations(env, rows);
        createChatModel(env, ", 'chat-template' = '" + TEMPLATE + "'");
        Map<String, Row> got = MlPredictTest.collect(env, QUERY);
        Map<String, RequestResult> expected = MlPredictTest.batchAnswers(lines(rows),
                Files.readString(TEMPLATE, StandardCharsets.UTF_8));

        assertEquals(rows.size(), got.size());
        expected.forEach((id, want) -> {
            Row row = got.get(id);
            assertNotNull(row, "no answer for " + id);
            assertNull(row.getField(5), id);
            assertEquals(want.text(), row.getField(1), id);
            assertEquals(want.finishReason().apiName(), row.getField(2), id);
            assertEquals(want.usage().completionTokens(), row.getField(3), id);
            assertEquals(want.usage().promptTokens(), row.getField(4), id);
        });
        assertTrue(got.values().stream().anyMatch(r -> !((String) r.getField(1)).isEmpty()), "all texts empty");
        assertEquals(0, SharedEngines.running(), "the engine outlived its last user");
    }

    @Test
    void aConversationTheTemplateRefusesGetsAnErrorWhileTheOthersAreAnswered() throws Exception {
        List<Row> rows = new ArrayList<>(conversations(4));
        rows.add(Row.of("tool-role", new Row[] {message("tool", "42")}, 4, 0.0));
        rows.add(Row.of("no-messages", null, 4, 0.0));
        rows.add(Row.of("no-role", new Row[] {message(null, "Who art thou?")}, 4, 0.0));
        rows.add(Row.of("too-long", new Row[] {message("user", "And the LORD said unto Moses ".repeat(400))}, 4, 0.0));
        TableEnvironment env = MlPredictTest.tableEnvironment(1);
        createConversations(env, rows);
        createChatModel(env, ", 'chat-template' = '" + TEMPLATE + "'");
        Map<String, Row> got = MlPredictTest.collect(env, QUERY);

        assertEquals(rows.size(), got.size());
        assertError(got.get("tool-role"), "chat template raised: roles are system, user and assistant, not tool");
        assertError(got.get("no-messages"), "the messages are NULL");
        assertError(got.get("no-role"), "messages[0].role must be a string");
        assertError(got.get("too-long"), "context length");
        Map<String, RequestResult> expected = MlPredictTest.batchAnswers(lines(rows.subList(0, 4)),
                Files.readString(TEMPLATE, StandardCharsets.UTF_8));
        expected.forEach((id, want) -> assertEquals(want.text(), got.get(id).getField(1), id));
    }

    @Test
    void aModelWithoutAChatTemplateAnswersEveryRowWithAnError() throws Exception {
        List<Row> rows = conversations(4);
        TableEnvironment env = MlPredictTest.tableEnvironment(1);
        createConversations(env, rows);
        createChatModel(env, "");
        Map<String, Row> got = MlPredictTest.collect(env, QUERY);

        assertEquals(rows.size(), got.size());
        got.values().forEach(row -> assertError(row, "the model has no chat template (tokenizer.chat_template);"
                + " give one with the 'chat-template' option"));
    }

    static void assertError(Row row, String reason) {
        assertNotNull(row, reason);
        assertNotNull(row.getField(5), row.toString());
        assertTrue(((String) row.getField(5)).contains(reason), row.toString());
        assertNull(row.getField(1), row.toString());
        assertNull(row.getField(2), row.toString());
    }
}
