package dev.prefixflow.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Durations written as in Flink's configuration, and what --version says about the build. */
class CliOptionsTest {
    static final FlinkDurationConverter DURATION = new FlinkDurationConverter();

    @Test
    void durationsTakeFlinksForms() {
        assertEquals(Duration.ofSeconds(10), DURATION.convert("10 s"));
        assertEquals(Duration.ofSeconds(10), DURATION.convert("10s"));
        assertEquals(Duration.ofSeconds(10), DURATION.convert("PT10S"));
        assertEquals(Duration.ofMinutes(1), DURATION.convert("1 min"));
        assertEquals(Duration.ofMinutes(1), DURATION.convert("1m"));
        assertEquals(Duration.ofMillis(500), DURATION.convert("500ms"));
        assertEquals(Duration.ofMillis(500), DURATION.convert("500 milliseconds"));
        assertEquals(Duration.ofHours(2), DURATION.convert("2 h"));
        CommandLine.TypeConversionException bad = assertThrows(CommandLine.TypeConversionException.class,
                () -> DURATION.convert("ten seconds"));
        assertTrue(bad.getMessage().contains("'ten seconds' is not a duration"), bad.getMessage());
    }

    @Test
    void everyDurationOptionUsesThem() {
        CommandLine.ParseResult parsed = PrefixFlowCli.commandLine().parseArgs("run", "--model", "m.gguf",
                "--input", "in.jsonl", "--output", "jsonl:out", "--checkpoint-interval", "1 min",
                "--kafka-timeout", "PT5S", "--progress-interval", "2 s", "--progress", "Lines");
        RunCommand run = (RunCommand) parsed.subcommand().commandSpec().userObject();
        assertEquals(Duration.ofMinutes(1), run.checkpointInterval);
        assertEquals(Duration.ofSeconds(5), run.kafkaTimeout);
        assertEquals(Duration.ofSeconds(2), run.modelOptions.progress.interval);
        assertEquals(ProgressOptions.Mode.LINES, run.modelOptions.progress.mode);
    }

    @Test
    void aBadDurationIsAUsageError() {
        CliTest.Run run = CliTest.run("run", "--model", "m.gguf", "--input", "in.jsonl", "--output", "jsonl:out",
                "--checkpoint-interval", "soon");
        assertEquals(2, run.exitCode(), run.err());
        assertTrue(run.err().contains("--checkpoint-interval"), run.err());
        assertTrue(run.err().contains("'soon' is not a duration"), run.err());

        CliTest.Run zero = CliTest.run("run", "--model", ErrorReportTest.MODEL, "--input", "in.jsonl",
                "--output", "jsonl:out", "--checkpoint-interval", "0 s");
        assertEquals(1, zero.exitCode(), zero.err());
        assertTrue(zero.err().contains("--checkpoint-interval must be at least 10 ms, got 0 ms"), zero.err());
    }

    @Test
    void versionNamesTheReleaseAndTheCommit() throws Exception {
        CliTest.Run run = CliTest.run("--version");
        assertEquals(0, run.exitCode(), run.err());
        List<String> lines = run.out().lines().toList();
        assertEquals("PrefixFlow " + System.getProperty("prefixflow.version"), lines.get(0));
        String head = gitHead();
        if (head == null) {
            assertEquals("commit unknown (built outside a git checkout)", lines.get(1));
        } else {
            assertEquals("commit " + head, lines.get(1));
        }
    }

    /** The commit checked out where the build ran, or null outside a git checkout. */
    private static String gitHead() throws InterruptedException {
        Process git;
        try {
            git = new ProcessBuilder("git", "rev-parse", "HEAD")
                    .directory(Path.of(System.getProperty("prefixflow.models")).getParent().toFile())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException noGit) {
            return null;
        }
        String out;
        try (var in = git.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return null;
        }
        return git.waitFor() == 0 && out.matches("[0-9a-f]{40}") ? out : null;
    }
}
