package dev.prefixflow.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prefixflow.testing.TestModels;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;

/**
 * Issue 4: the shaded {@code job/target/prefixflow.jar}, which holds no Flink, submitted with Flink's
 * own CLI ({@code flink run}, attached) to a real standalone session cluster: a JobManager and a
 * TaskManager in their own JVMs, started by {@code tools/flink-cluster/cluster.sh}. Only the
 * TaskManager gets {@code --add-modules jdk.incubator.vector} and the trap limit; the JobManager and
 * the client run with the plain Java 17 flags of a Flink distribution. Restarts are off, so any
 * failure on the cluster fails the job and the CLI instead of looping. The job must reach FINISHED, commit one result per
 * example line with an id, token for token (or error for error) what the in-process {@code batch}
 * command answers, and one dead letter (the line that is not JSON). Runs in the failsafe phase (after {@code package}); the cluster is always stopped, and its
 * logs stay in {@code job/target/flink-cluster/log}.
 */
class FlinkRunOnClusterIT {
    /** Classes of the Flink Kafka connector: user code, so they belong in the jar. */
    private static final List<String> CONNECTOR_PACKAGES = List.of("org/apache/flink/connector/kafka/",
            "org/apache/flink/streaming/connectors/kafka/", "org/apache/flink/streaming/util/serialization/");

    private final Path jar = Path.of(property("prefixflow.jar"));
    private final Path script = Path.of(property("prefixflow.cluster.script"));
    private final Path clusterDir = Path.of(property("prefixflow.cluster.dir"));

    @Test
    void theShadedJarRunsUnderFlinkRunOnAStandaloneCluster() throws Exception {
        assertJarHoldsNoFlink();
        freshClusterDir();
        Path out = clusterDir.resolve("out");
        Path dead = clusterDir.resolve("dead");
        String model = TestModels.path("kjv-5m-q80.gguf").toString();
        Path input = RunCommandTest.examples();

        Result start = cluster("start", List.of(clusterDir.toString(), "2"));
        try {
            assertEquals(0, start.exitCode(), "cluster.sh start failed:\n" + start.output());
            int port = Integer.parseInt(Files.readString(clusterDir.resolve("rest.port")).strip());

            Result run = cluster("run", List.of(clusterDir.toString(), jar.toString(), "run", "--model", model,
                    "--input", input.toString(), "--output", "jsonl:" + out, "--dead-letter", "jsonl:" + dead,
                    "--parallelism", "2", "--checkpoint-interval", "2s", "--chat-template",
                    RunCommandTest.exampleTemplate().toString()));
            assertEquals(0, run.exitCode(), "flink run failed:\n" + run.output() + logs());
            assertTrue(run.output().contains("has finished"), run.output());

            JsonNode jobs = CliTest.JSON.readTree(get(port, "/jobs/overview")).get("jobs");
            assertEquals(1, jobs.size(), jobs.toString());
            assertEquals("FINISHED", jobs.get(0).get("state").asText(), jobs.toString());
            assertEquals("PrefixFlow", jobs.get(0).get("name").asText(), jobs.toString());
            JsonNode tms = CliTest.JSON.readTree(get(port, "/taskmanagers")).get("taskmanagers");
            assertEquals(1, tms.size(), tms.toString());
            assertEquals(2, tms.get(0).get("slotsNumber").asInt(), tms.toString());
            // Only the TaskManager had the Vector API module; the JobManager did without it.
            String jmOptions = CliTest.JSON.readTree(get(port, "/jobmanager/environment")).get("jvm").get("options")
                    .toString();
            assertTrue(jmOptions.contains("--add-opens=java.base/java.nio=ALL-UNNAMED"), jmOptions);
            assertTrue(!jmOptions.contains("jdk.incubator.vector"), jmOptions);
            String tmPid = Files.readString(clusterDir.resolve("taskmanager.pid")).strip();
            String tmCommand = Files.readString(Path.of("/proc", tmPid, "cmdline")).replace('\0', ' ');
            assertTrue(tmCommand.contains("--add-modules jdk.incubator.vector -XX:PerMethodTrapLimit=10000"),
                    tmCommand);
        } finally {
            Result stop = cluster("stop", List.of(clusterDir.toString()));
            assertEquals(0, stop.exitCode(), "cluster.sh stop failed:\n" + stop.output());
        }
        assertTrue(!Files.exists(clusterDir.resolve("jobmanager.pid"))
                && !Files.exists(clusterDir.resolve("taskmanager.pid")), "the cluster's pids are gone after stop");

        Map<String, JsonNode> expected = CliTest.batchAnswers(model, input, "--chat-template",
                RunCommandTest.exampleTemplate().toString());
        // The line that is not JSON has no id to answer: a dead letter, where batch answers "line 29".
        List<JsonNode> deadLetters = RunCommandTest.readParts(dead);
        assertEquals(1, deadLetters.size(), deadLetters.toString());
        assertEquals(29, deadLetters.get(0).get("line_number").asInt(), deadLetters.toString());
        assertTrue(expected.remove("line 29") != null, expected.keySet().toString());
        assertEquals(30, expected.size(), "lines with an id in examples/requests.jsonl, bad-1 among them");
        RunCommandTest.assertAnswersLike(expected, RunCommandTest.readParts(out));
    }

    /**
     * Issue 15: {@code flink run prefixflow.jar sql -f SCRIPT} plans the script on the client (the
     * cluster's Table planner) and runs its INSERT with the prefixflow model provider from the jar on
     * the TaskManager (parallelism 2: both function instances acquire the TaskManager's one engine);
     * every request's committed text is what {@code batch} answers.
     */
    @Test
    void theSqlCommandRunsUnderFlinkRunOnAStandaloneCluster() throws Exception {
        freshClusterDir();
        Path input = SqlCommandTest.requests(clusterDir);
        Path out = clusterDir.resolve("answers");
        Path script = Files.writeString(clusterDir.resolve("answers.sql"), SqlCommandTest.script(input, out));

        Result start = cluster("start", List.of(clusterDir.toString(), "2"));
        try {
            assertEquals(0, start.exitCode(), "cluster.sh start failed:\n" + start.output());
            Result run = cluster("run", List.of(clusterDir.toString(), jar.toString(), "sql", "-f", script.toString(),
                    "--parallelism", "2", "--checkpoint-interval", "2s"));
            assertEquals(0, run.exitCode(), "flink run failed:\n" + run.output() + logs());
        } finally {
            Result stop = cluster("stop", List.of(clusterDir.toString()));
            assertEquals(0, stop.exitCode(), "cluster.sh stop failed:\n" + stop.output());
        }
        SqlCommandTest.assertAnswersLikeBatch(input, out);
    }

    /**
     * Issue 15: Flink's own SQL client runs the provider from the jar. {@code cluster.sh sql-client} starts
     * it as {@code sql-client.sh} does (embedded mode: the client and its SQL Gateway in one JVM, the
     * cluster's config), with {@code -j prefixflow.jar} and {@code -f} the script; the client's JVM has no
     * PrefixFlow class of its own. With {@code table.dml-sync} the client returns once the INSERT job has
     * finished on the cluster, and every request's committed text is what {@code batch} answers.
     */
    @Test
    void theProviderJarServesMlPredictThroughFlinksSqlClient() throws Exception {
        freshClusterDir();
        Path input = SqlCommandTest.requests(clusterDir);
        Path out = clusterDir.resolve("answers");
        Path sqlFile = clusterDir.resolve("classify.sql");
        Files.writeString(sqlFile, "SET 'table.dml-sync' = 'true';\nSET 'parallelism.default' = '2';\n"
                + SqlCommandTest.script(input, out));

        Result start = cluster("start", List.of(clusterDir.toString(), "2"));
        try {
            assertEquals(0, start.exitCode(), "cluster.sh start failed:\n" + start.output());
            int port = Integer.parseInt(Files.readString(clusterDir.resolve("rest.port")).strip());
            Result client = cluster("sql-client", List.of(clusterDir.toString(), "-f", sqlFile.toString(),
                    "-j", jar.toString()));
            assertEquals(0, client.exitCode(), "sql-client failed:\n" + client.output() + logs());
            assertTrue(client.output().contains("Execute statement succeeded"), client.output());
            assertFalse(client.output().contains("[ERROR]"), client.output());
            JsonNode jobs = CliTest.JSON.readTree(get(port, "/jobs/overview")).get("jobs");
            assertEquals(1, jobs.size(), jobs.toString());
            assertEquals("FINISHED", jobs.get(0).get("state").asText(), jobs.toString() + logs());
        } finally {
            Result stop = cluster("stop", List.of(clusterDir.toString()));
            assertEquals(0, stop.exitCode(), "cluster.sh stop failed:\n" + stop.output());
        }
        SqlCommandTest.assertAnswersLikeBatch(input, out);
    }

    /** An empty cluster directory, after stopping a cluster left over from an interrupted run. */
    private void freshClusterDir() throws IOException, InterruptedException {
        if (Files.isDirectory(clusterDir)) {
            cluster("stop", List.of(clusterDir.toString()));
        }
        deleteRecursively(clusterDir);
        Files.createDirectories(clusterDir);
    }

    /** `flink run` wants the job without Flink: Flink comes from the cluster's class path. */
    private void assertJarHoldsNoFlink() throws IOException {
        assertTrue(Files.isRegularFile(jar), jar + " is built by `package`");
        List<String> flink = new ArrayList<>();
        List<String> slf4j = new ArrayList<>();
        try (JarFile jf = new JarFile(jar.toFile())) {
            assertEquals("dev.prefixflow.job.PrefixFlowCli", jf.getManifest().getMainAttributes().getValue("Main-Class"));
            for (ZipEntry e : jf.stream().toList()) {
                String name = e.getName();
                if (name.startsWith("org/apache/flink/") && name.endsWith(".class")
                        && CONNECTOR_PACKAGES.stream().noneMatch(name::startsWith)) {
                    flink.add(name);
                }
                if (name.startsWith("org/slf4j/") && name.endsWith(".class")) {
                    slf4j.add(name);
                }
            }
            assertTrue(jf.getEntry("dev/prefixflow/job/PrefixFlowCli.class") != null, "the job's classes");
            assertTrue(jf.getEntry("dev/prefixflow/cpu/CpuPlatform.class") != null, "the CPU engine");
            assertTrue(jf.getEntry("org/apache/kafka/clients/consumer/KafkaConsumer.class") != null, "Kafka clients");
        }
        assertEquals(List.of(), flink.subList(0, Math.min(10, flink.size())), "Flink classes in " + jar);
        assertEquals(List.of(), slf4j.subList(0, Math.min(10, slf4j.size())), "SLF4J classes in " + jar);
    }

    private record Result(int exitCode, String output) {
    }

    /** Runs cluster.sh with this JDK, this build's Maven for the jar fetch and the JVM options under test. */
    private Result cluster(String command, List<String> args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("bash", script.toString(), command));
        cmd.addAll(args);
        Path log = clusterDir.resolveSibling("flink-cluster-" + command + ".out");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.put("FLINK_JAVA_HOME", System.getProperty("java.home"));
        env.put("FLINK_VERSION", property("prefixflow.flink.version"));
        env.put("FLINK_JARS", clusterDir.resolveSibling("flink-cluster-jars").toString());
        env.put("FLINK_MVN", mavenCommand());
        // What the TaskManagers need beyond a Flink distribution's Java 17 flags; nothing for the others.
        env.put("FLINK_JAVA_OPTS", "");
        env.put("FLINK_TM_JAVA_OPTS", "--add-modules jdk.incubator.vector -XX:PerMethodTrapLimit=10000");
        env.put("FLINK_CONF_EXTRA", "restart-strategy.type: none");
        env.remove("FLINK_RUN_OPTS");
        env.remove("FLINK_CONF_DIR");
        Process p = pb.start();
        // A guard against a hung script, not a timing check: start has its own 120 s limit.
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            fail("cluster.sh " + command + " still running after 10 minutes:\n" + Files.readString(log) + logs());
        }
        return new Result(p.exitValue(), Files.readString(log));
    }

    private static String mavenCommand() {
        String home = System.getProperty("prefixflow.maven.home", "");
        String mvn = home.isEmpty() || home.startsWith("${") ? "mvn" : home + File.separator + "bin" + File.separator + "mvn";
        String repo = System.getProperty("prefixflow.maven.repo", "");
        return mvn + ("offline=true".equals(System.getProperty("prefixflow.maven.offline")) ? " -o" : "")
                + (repo.isEmpty() || repo.startsWith("${") ? "" : " -Dmaven.repo.local=" + repo);
    }

    private static String get(int port, String path) throws IOException, InterruptedException {
        HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), path + ": " + r.body());
        return r.body();
    }

    /** The last lines of the TaskManager's and JobManager's logs, for failure messages. */
    private String logs() {
        StringBuilder sb = new StringBuilder();
        for (String name : List.of("taskmanager.log", "taskmanager.out", "jobmanager.log", "gateway.log")) {
            Path f = clusterDir.resolve("log").resolve(name);
            try {
                List<String> lines = Files.readAllLines(f);
                sb.append("\n--- last lines of ").append(f).append('\n')
                        .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size())));
            } catch (IOException e) {
                sb.append("\n--- ").append(f).append(": ").append(e);
            }
        }
        return sb.toString();
    }

    private static String property(String name) {
        String value = System.getProperty(name);
        assertTrue(value != null && !value.isEmpty(), "system property " + name + " (set by the job module's failsafe)");
        return value;
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
