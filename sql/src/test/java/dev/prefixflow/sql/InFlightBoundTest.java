package dev.prefixflow.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.Test;

/**
 * Rows in flight are bounded: with max-num-seqs 2 the shared engine takes at most 8 (4 x max-num-seqs)
 * rows, and a full engine blocks the next row's submission (backpressure) rather than queueing it. Flink's
 * own async limit is set far above that (64 per instance, two instances fed by a parallel source), so
 * without the engine's bound up to 96 rows would sit in the engine at once. The engine's own counters
 * (waiting + running, read after every admission) come out through the function's gauges, read here
 * with a metric reporter.
 */
class InFlightBoundTest {

    @Test
    void theSharedEngineNeverHoldsMoreRowsThanItsBound() throws Exception {
        GaugeCapture.clear();
        Configuration conf = new Configuration();
        conf.setString("metrics.reporter.capture.factory.class", GaugeCapture.class.getName());
        TableEnvironment env = TableEnvironment.create(EnvironmentSettings.newInstance().inStreamingMode()
                .withConfiguration(conf).build());
        env.getConfig().set("parallelism.default", "2");
        env.getConfig().set("table.exec.async-ml-predict.max-concurrent-operations", "64");
        // A parallel source, so that two function instances (fed by its two subtasks) share the engine.
        env.executeSql("CREATE TABLE numbers (n INT) WITH ('connector' = 'datagen', 'number-of-rows' = '96',"
                + " 'fields.n.kind' = 'sequence', 'fields.n.start' = '1', 'fields.n.end' = '96')");
        env.executeSql("CREATE TEMPORARY VIEW requests AS SELECT CAST(n AS STRING) AS id,"
                + " CONCAT('And the LORD spake unto Moses, saying, verse ', CAST(n AS STRING)) AS prompt FROM numbers");
        env.executeSql("CREATE MODEL kjv INPUT (prompt STRING, id STRING) OUTPUT (text STRING, error STRING)"
                + " WITH ('provider' = 'prefixflow', 'model' = '" + MlPredictTest.MODEL + "', 'max-num-seqs' = '2',"
                + " 'max-tokens' = '6', 'temperature' = '0')");
        Map<String, Row> got = MlPredictTest.collect(env, "SELECT id, text, error FROM ML_PREDICT(TABLE requests,"
                + " MODEL kjv, DESCRIPTOR(prompt, id))");
        assertEquals(96, got.size());
        got.values().forEach(r -> assertEquals(null, r.getField(2), r.toString()));

        List<Gauge<?>> bounds = GaugeCapture.gauges("maxInFlight");
        List<Gauge<?>> peaks = GaugeCapture.gauges("engineRequestsPeak");
        assertEquals(2, bounds.size(), "one gauge per function instance");
        assertEquals(2, peaks.size(), "one gauge per function instance");
        for (Gauge<?> bound : bounds) {
            assertEquals(8, bound.getValue());
        }
        for (Gauge<?> peak : peaks) {
            int held = (Integer) peak.getValue();
            assertFalse(held > 8, "the engine held " + held + " requests; its bound is 8");
            // 96 rows arrive at once and each takes several engine steps, so the engine fills up to its bound.
            assertEquals(8, held, "the bound was never reached, so this run did not test it");
        }
        assertEquals(0, SharedEngines.running(), "the engine outlived its last user");
    }
}
