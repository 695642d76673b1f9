package dev.prefixflow.job.pipeline;

import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * A Flink metric reporter for local runs: it keeps PrefixFlow's operator metrics where the CLI, in
 * the same JVM, can sum them over subtasks for its progress line and summary. A subtask's last
 * values outlive it (a finished job still has a summary), and a restarted subtask replaces them.
 */
public final class ProgressMetrics implements MetricReporter {
    static final Set<String> NAMES = Set.of("requestsIn", "requestsOut", "errors", "promptTokens", "cachedTokens",
            "tierCachedTokens",
            "computedTokens", "generatedTokens", "preemptions", "deadLettered");

    private static final Map<String, Metric> LIVE = new ConcurrentHashMap<>();
    private static final Map<String, Long> LAST = new ConcurrentHashMap<>();

    /** Registered under {@code metrics.reporter.NAME.factory.class}. */
    public static final class Factory implements MetricReporterFactory {
        @Override
        public MetricReporter createMetricReporter(Properties properties) {
            return new ProgressMetrics();
        }
    }

    @Override
    public void open(MetricConfig config) {
    }

    @Override
    public void close() {
    }

    @Override
    public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
        if (NAMES.contains(name)) {
            LIVE.put(group.getMetricIdentifier(name), metric);
        }
    }

    @Override
    public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {
        String id = group.getMetricIdentifier(name);
        if (NAMES.contains(name) && LIVE.remove(id, metric)) {
            LAST.put(id, value(metric));
        }
    }

    /** The sum over all subtasks of the metric {@code name}. */
    public static long total(String name) {
        long sum = 0;
        for (Map.Entry<String, Long> e : LAST.entrySet()) {
            if (e.getKey().endsWith("." + name) && !LIVE.containsKey(e.getKey())) {
                sum += e.getValue();
            }
        }
        for (Map.Entry<String, Metric> e : LIVE.entrySet()) {
            if (e.getKey().endsWith("." + name)) {
                sum += value(e.getValue());
            }
        }
        return sum;
    }

    /** Forgets everything, before a new local run. */
    public static void reset() {
        LIVE.clear();
        LAST.clear();
    }

    private static long value(Metric metric) {
        if (metric instanceof Counter counter) {
            return counter.getCount();
        }
        if (metric instanceof Gauge<?> gauge && gauge.getValue() instanceof Number number) {
            return number.longValue();
        }
        return 0;
    }
}
