package dev.prefixflow.sql;

import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * A Flink metric reporter (configured as {@code metrics.reporter.NAME.factory.class}) that keeps every
 * gauge registered in this JVM under a name, so a test reads an operator's gauges after its job: the
 * MiniCluster runs in the test's JVM. Found by Flink through META-INF/services.
 */
public final class GaugeCapture implements MetricReporter, MetricReporterFactory {
    private record Named(String name, Gauge<?> gauge) {
    }

    private static final List<Named> GAUGES = new CopyOnWriteArrayList<>();

    /** Every gauge registered so far under {@code name}, in registration order. */
    static List<Gauge<?>> gauges(String name) {
        return GAUGES.stream().filter(g -> g.name().equals(name)).<Gauge<?>>map(Named::gauge).toList();
    }

    static void clear() {
        GAUGES.clear();
    }

    @Override
    public MetricReporter createMetricReporter(Properties properties) {
        return this;
    }

    @Override
    public void open(MetricConfig config) {
    }

    @Override
    public void close() {
    }

    @Override
    public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
        if (metric instanceof Gauge<?> gauge) {
            GAUGES.add(new Named(name, gauge));
        }
    }

    @Override
    public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {
        // Kept: the test reads the gauges after the job has ended.
    }
}
