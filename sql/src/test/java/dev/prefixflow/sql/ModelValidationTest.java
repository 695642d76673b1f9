package dev.prefixflow.sql;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.Test;

/** A mistake in a PrefixFlow model's options or columns fails the query's planning, naming the mistake. */
class ModelValidationTest {

    private static String planningError(String input, String output, String options) {
        return planningError(input, output, options, "prompt");
    }

    /** The planning error of ML_PREDICT over {@code requests} (prompts), or {@code conversations} for messages. */
    private static String planningError(String input, String output, String options, String descriptor) {
        TableEnvironment env = MlPredictTest.tableEnvironment(1);
        MlPredictTest.createInput(env, List.of(Row.of("a", "Then the king", 2, 0.0, null)));
        ChatPredictTest.createConversations(env, ChatPredictTest.conversations(1));
        env.executeSql("CREATE MODEL m INPUT (" + input + ") OUTPUT (" + output + ") WITH ('provider' = 'prefixflow',"
                + " 'model' = '" + MlPredictTest.MODEL + "'" + options + ")");
        String table = descriptor.startsWith("messages") ? "conversations" : "requests";
        Exception e = assertThrows(Exception.class, () -> env.explainSql(
                "SELECT * FROM ML_PREDICT(TABLE " + table + ", MODEL m, DESCRIPTOR(" + descriptor + "))"));
        StringBuilder messages = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            messages.append(t.getMessage()).append('\n');
        }
        return messages.toString();
    }

    @Test
    void anUnknownOptionIsNamed() {
        String error = planningError("prompt STRING", "text STRING", ", 'max-tokenz' = '4'");
        assertTrue(error.contains("max-tokenz"), error);
    }

    @Test
    void anUnknownOutputColumnIsNamed() {
        String error = planningError("prompt STRING", "text STRING, logits STRING", "");
        assertTrue(error.contains("OUTPUT column 'logits' is not known"), error);
    }

    @Test
    void anOutputColumnOfTheWrongTypeIsNamed() {
        String error = planningError("prompt STRING", "completion_tokens STRING", "");
        assertTrue(error.contains("OUTPUT column 'completion_tokens' must be INT"), error);
    }

    @Test
    void thePromptMustBeAString() {
        String error = planningError("prompt INT", "text STRING", "", "max_tokens");
        assertTrue(error.contains("the first INPUT column, prompt, is the prompt and must be a STRING"), error);
    }

    @Test
    void anUnknownInputColumnIsNamed() {
        String error = planningError("prompt STRING, top_k INT", "text STRING", "", "prompt, max_tokens");
        assertTrue(error.contains("INPUT column 'top_k' is not known"), error);
    }

    @Test
    void taskChatWantsMessagesNotAString() {
        String error = planningError("prompt STRING", "text STRING", ", 'task' = 'chat'");
        assertTrue(error.contains("the first INPUT column, prompt, holds the messages of task 'chat' and must be an"
                + " ARRAY<ROW<role STRING, content STRING>>, not STRING"), error);
    }

    @Test
    void messagesNeedRoleAndContentStrings() {
        String error = planningError("messages ARRAY<ROW<speaker STRING, content STRING>>", "text STRING",
                ", 'task' = 'chat'", "messages");
        assertTrue(error.contains("must be an ARRAY<ROW<role STRING, content STRING>>"), error);
    }

    @Test
    void messagesWithoutTaskChatAreNamed() {
        String error = planningError("messages ARRAY<ROW<role STRING, content STRING>>", "text STRING", "",
                "messages");
        assertTrue(error.contains("is the prompt and must be a STRING") && error.contains("need 'task' = 'chat'"),
                error);
    }

    @Test
    void aChatTemplateNeedsTaskChat() {
        String error = planningError("prompt STRING", "text STRING", ", 'chat-template' = '"
                + ChatPredictTest.TEMPLATE + "'");
        assertTrue(error.contains("option 'chat-template' applies to task 'chat' only"), error);
    }

    @Test
    void aMissingChatTemplateFileIsNamed() {
        String error = planningError("messages ARRAY<ROW<role STRING, content STRING>>", "text STRING",
                ", 'task' = 'chat', 'chat-template' = '/no/such/template.jinja'", "messages");
        assertTrue(error.contains("option 'chat-template': cannot read /no/such/template.jinja"), error);
    }

    @Test
    void aResponseFormatThatIsNotJsonIsNamed() {
        String error = planningError("prompt STRING", "text STRING", ", 'response-format' = '{\"type\": '");
        assertTrue(error.contains("option 'response-format' is not valid JSON"), error);
    }

    @Test
    void anUnknownResponseFormatTypeIsNamed() {
        String error = planningError("prompt STRING", "text STRING", ", 'response-format' = '{\"type\": \"xml\"}'");
        assertTrue(error.contains("option 'response-format': response_format.type 'xml' is not supported"), error);
    }

    @Test
    void anUnsupportedSchemaKeywordIsNamedAtPlanning() {
        String error = planningError("prompt STRING", "text STRING", ", 'response-format' = '{\"type\": "
                + "\"json_schema\", \"json_schema\": {\"name\": \"x\", \"schema\": {\"type\": \"object\","
                + " \"patternProperties\": {\"^a\": {\"type\": \"string\"}}}}}'");
        assertTrue(error.contains("option 'response-format': ") && error.contains("patternProperties"), error);
    }

    @Test
    void anUnknownTaskIsNamed() {
        String error = planningError("prompt STRING", "text STRING", ", 'task' = 'embedding'");
        assertTrue(error.contains("'task' must be 'completion' or 'chat', not 'embedding'"), error);
    }
}
