package dev.prefixflow.job.pipeline;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/**
 * Asks each Kafka cluster the job reads or writes for its brokers before the job is built. Without
 * this, an unreachable broker shows only after Flink's Kafka clients have waited out their own
 * timeouts on every restart attempt, in errors that do not say which address was tried.
 */
public final class KafkaReachability {

    private KafkaReachability() {
    }

    /** Fails, naming the address and the time waited, if a cluster of {@code spec} does not answer in time. */
    public static void check(PipelineSpec spec, Duration timeout) throws InterruptedException {
        Set<String> servers = new LinkedHashSet<>();
        Stream.concat(Stream.of(spec.input(), spec.deadLetter()), spec.outputs().stream())
                .filter(e -> e instanceof Endpoint.Kafka)
                .forEach(e -> servers.add(((Endpoint.Kafka) e).bootstrapServers()));
        for (String bootstrap : servers) {
            check(bootstrap, spec.kafkaProperties(), timeout);
        }
    }

    private static void check(String bootstrap, Map<String, String> properties, Duration timeout)
            throws InterruptedException {
        Map<String, Object> config = new HashMap<>(properties);
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, millis);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, millis);
        Admin admin = Admin.create(config);
        try {
            admin.describeCluster(new DescribeClusterOptions().timeoutMs(millis)).nodes()
                    .get(millis + 1000L, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("no Kafka broker answered at " + bootstrap + " within "
                    + seconds(timeout) + ". Is the broker running, and is that address (and the address it "
                    + "advertises) reachable from here and from the TaskManagers? TLS or SASL settings go in "
                    + "--kafka-property; --kafka-timeout sets how long to wait.", e);
        } finally {
            admin.close(Duration.ZERO);
        }
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }
}
