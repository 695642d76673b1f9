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

    private static String planningError(String input, String output, String options, String descriptor) {
        TableEnvironment env = MlPredictTest.tableEnvironment(1);
        MlPredictTest.createInput(env, List.of(Row.of("a", "Then the king", 2, 0.0, null)));
        env.executeSql("CREATE MODEL m INPUT (" + input + ") OUTPUT (" + output + ") WITH ('provider' = 'prefixflow',"
                + " 'model' = '" + MlPredictTest.MODEL + "'" + options + ")");
        Exception e = assertThrows(Exception.class, () -> env.explainSql(
                "SELECT * FROM ML_PREDICT(TABLE requests, MODEL m, DESCRIPTOR(" + descriptor + "))"));
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
    void taskChatSaysWhatItNeeds() {
        String error = planningError("prompt STRING", "text STRING", ", 'task' = 'chat'");
        assertTrue(error.contains("task 'chat' needs chat-template support"), error);
    }

    @Test
    void anUnknownTaskIsNamed() {
        String error = planningError("prompt STRING", "text STRING", ", 'task' = 'embedding'");
        assertTrue(error.contains("'task' must be 'completion' or 'chat', not 'embedding'"), error);
    }
}
