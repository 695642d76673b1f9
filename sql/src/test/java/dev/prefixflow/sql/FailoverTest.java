package dev.prefixflow.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefixflow.engine.RequestResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.functions.ScalarFunction;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;

/**
 * A task fails in the middle of an ML_PREDICT query, with rows still in the engine; Flink restarts it
 * and the query finishes. Every row is answered as {@code batch} answers it, and a row that ran twice
 * (before and after the failure) gave the same output both times.
 */
class FailoverTest {
    /** Set once the injected failure has happened (the MiniCluster runs in this JVM). */
    static final AtomicBoolean FAILED = new AtomicBoolean();

    /** Passes the id through, but fails the task the first time it sees {@code req-20}. */
    public static final class FailOnce extends ScalarFunction {
        public String eval(String id) {
            if ("req-20".equals(id) && FAILED.compareAndSet(false, true)) {
                throw new IllegalStateException("injected failure at " + id);
            }
            return id;
        }
    }

    @Test
    void aRestartedQueryAnswersEveryRowAsBeforeTheFailure() throws Exception {
        List<Row> rows = MlPredictTest.requests(32);
        TableEnvironment env = MlPredictTest.tableEnvironment(2);
        env.getConfig().set("restart-strategy.type", "fixed-delay");
        env.getConfig().set("restart-strategy.fixed-delay.attempts", "2");
        env.getConfig().set("restart-strategy.fixed-delay.delay", "100 ms");
        env.getConfig().set("execution.checkpointing.interval", "200 ms");
        env.createTemporarySystemFunction("FAIL_ONCE", FailOnce.class);
        MlPredictTest.createInput(env, rows);
        MlPredictTest.createModel(env, "");

        Map<String, List<Row>> answers = new HashMap<>();
        try (CloseableIterator<Row> it = env.executeSql(
                MlPredictTest.QUERY.replaceFirst("SELECT id,", "SELECT FAIL_ONCE(id),")).collect()) {
            while (it.hasNext()) {
                Row row = it.next();
                answers.computeIfAbsent((String) row.getField(0), id -> new ArrayList<>()).add(row);
            }
        }
        assertTrue(FAILED.get(), "the failure was not injected");

        Map<String, RequestResult> expected = MlPredictTest.batchAnswers(rows);
        assertEquals(expected.keySet(), answers.keySet());
        expected.forEach((id, want) -> {
            List<Row> got = answers.get(id);
            assertNotNull(got, id);
            for (Row row : got) {
                assertEquals(want.text(), row.getField(1), id + " (" + got.size() + " answers)");
                assertEquals(want.usage().completionTokens(), row.getField(3), id);
            }
        });
        assertEquals(0, SharedEngines.running(), "an engine outlived its users");
    }
}
