package dev.prefixflow.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefixflow.testing.TestModels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A failed command prints the message of every cause, a hint where one is known, and a stack trace
 * only with --verbose. The cases run the real command paths that fail.
 */
class ErrorReportTest {
    static final String MODEL = TestModels.path("kjv-5m-q80.gguf").toString();

    @Test
    void aMissingFileSystemNamesTheSchemeAndThePluginToInstall(@TempDir Path dir) {
        CliTest.Run run = CliTest.run("run", "--model", MODEL, "--input", RunCommandTest.examples().toString(),
                "--output", "s3://bucket/results", "--checkpoint-dir", dir.toString());
        assertEquals(1, run.exitCode(), run.err());
        // Flink's wrapper, then the cause it used to hide.
        assertTrue(run.err().startsWith("error: Could not create committable serializer."), run.err());
        assertTrue(run.err().contains("caused by: Could not find a file system implementation for scheme 's3'"),
                run.err());
        assertTrue(run.err().contains("hint: Flink has no file system for s3://: it comes as a plugin, "
                + "flink-s3-fs-hadoop (or flink-s3-fs-presto)"), run.err());
        assertTrue(run.err().contains("into plugins/s3-fs-hadoop/"), run.err());
        assertTrue(run.err().contains("./plugins/s3-fs-hadoop/"), run.err());
        assertFalse(run.err().contains("\tat "), "no stack trace without --verbose:\n" + run.err());
    }

    @Test
    void anUnreachableKafkaBrokerNamesTheAddressAndTheWait(@TempDir Path dir) throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        String broker = "127.0.0.1:" + closedPort;
        CliTest.Run run = CliTest.run("run", "--model", MODEL, "--input", "kafka://" + broker + "/prompts",
                "--output", "jsonl:" + dir.resolve("out"), "--kafka-timeout", "1500 ms");
        assertEquals(1, run.exitCode(), run.err());
        assertTrue(run.err().startsWith("error: no Kafka broker answered at " + broker + " within 1500 ms."),
                run.err());
        assertTrue(run.err().contains("caused by: "), "Kafka's own message follows:\n" + run.err());
    }

    @Test
    void aMissingModelNamesWhatIsThereAndVerboseAddsTheStackTrace(@TempDir Path dir) {
        Path missing = TestModels.path("kjv-5m-q80.gguf").resolveSibling("kjv-5m-q9.gguf");
        CliTest.Run run = CliTest.run("generate", "--model", missing.toString(), "--prompt", "x",
                "--model-cache", dir.toString());
        assertEquals(1, run.exitCode(), run.err());
        assertTrue(run.err().contains("model file not found: " + missing), run.err());
        assertTrue(run.err().contains("kjv-5m-q80.gguf, "), "the models beside it are named:\n" + run.err());
        assertTrue(run.err().contains("(run with --verbose for the stack trace)"), run.err());
        assertFalse(run.err().contains("\tat "), run.err());

        CliTest.Run verbose = CliTest.run("generate", "--model", missing.toString(), "--prompt", "x",
                "--model-cache", dir.toString(), "--verbose");
        assertEquals(1, verbose.exitCode(), verbose.err());
        assertTrue(verbose.err().contains("\tat dev.prefixflow.job.download.ModelDownloader.resolve"),
                verbose.err());
    }

    @Test
    void eachMessageOfTheChainOnceOutermostFirst() {
        IOException root = new IOException("disk full");
        RuntimeException wrapper = new UncheckedIOException("could not write part file", root);
        // Flink often repeats its cause's message in the wrapper's; it is printed once.
        IllegalStateException outer = new IllegalStateException("the job failed",
                new RuntimeException(wrapper.toString(), wrapper));
        assertEquals(List.of("the job failed", "java.io.UncheckedIOException: could not write part file",
                "disk full"), ErrorReport.messages(outer));
        assertEquals(List.of("java.lang.NullPointerException"), ErrorReport.messages(new NullPointerException()));
    }

    @Test
    void jvmErrorsGetAHint() {
        java.io.StringWriter out = new java.io.StringWriter();
        ErrorReport.print(new NoClassDefFoundError("jdk/incubator/vector/Vector"), new java.io.PrintWriter(out), false);
        assertTrue(out.toString().startsWith("error: jdk/incubator/vector/Vector"), out.toString());
        assertTrue(out.toString().contains("hint: the CPU engine needs the JVM flag --add-modules jdk.incubator.vector "
                + "(on a cluster: env.java.opts.taskmanager)"), out.toString());

        out.getBuffer().setLength(0);
        ErrorReport.print(new IllegalStateException("the job failed", new OutOfMemoryError("Java heap space")),
                new java.io.PrintWriter(out), false);
        assertTrue(out.toString().contains("caused by: Java heap space"), out.toString());
        assertTrue(out.toString().contains("lower --kv-cache-blocks or --max-num-seqs"), out.toString());
    }
}
