package dev.prefixflow.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefixflow.testing.TestModels;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The batch command's progress in both modes, picked explicitly or, with the default {@code auto},
 * from what the launcher says about stderr (the property it sets).
 */
class ProgressOptionsTest {

    @AfterEach
    void forgetTheLaunchersAnswer() {
        System.clearProperty(ProgressOptions.STDERR_TERMINAL_PROPERTY);
    }

    @Test
    void onATerminalTheProgressLineIsRewritten(@TempDir Path dir) {
        System.setProperty(ProgressOptions.STDERR_TERMINAL_PROPERTY, "true");
        String err = batch(dir);
        assertTrue(err.contains("\r31/31 requests"), err);
        assertTrue(err.contains("31 requests (2 errors)"), "the summary follows:\n" + err);
    }

    @Test
    void inALogEachProgressLineIsALineOfItsOwn(@TempDir Path dir) {
        System.setProperty(ProgressOptions.STDERR_TERMINAL_PROPERTY, "false");
        String err = batch(dir);
        assertFalse(err.contains("\r"), err);
        assertTrue(err.lines().anyMatch(l -> l.matches("31/31 requests, .* tokens/s, hit rate .*%")), err);
        assertTrue(err.contains("31 requests (2 errors)"), "the summary follows:\n" + err);
    }

    @Test
    void anExplicitModeWinsAndLinesComeAtTheInterval(@TempDir Path dir) {
        System.setProperty(ProgressOptions.STDERR_TERMINAL_PROPERTY, "true");
        String err = batch(dir, "--progress", "lines", "--progress-interval", "1 ns");
        assertFalse(err.contains("\r"), err);
        // A line after every engine step: more than one before the final state.
        long progressLines = err.lines().filter(l -> l.matches("\\d+/31 requests, .*")).count();
        assertTrue(progressLines > 1, err);
    }

    private static String batch(Path dir, String... extra) {
        String[] args = {"batch", "--model", TestModels.path("kjv-5m-q80.gguf").toString(),
            "--input", RunCommandTest.examples().toString(), "--output", dir.resolve("out.jsonl").toString(),
            "--chat-template", RunCommandTest.exampleTemplate().toString()};
        String[] all = java.util.Arrays.copyOf(args, args.length + extra.length);
        System.arraycopy(extra, 0, all, args.length, extra.length);
        CliTest.Run run = CliTest.run(all);
        assertEquals(0, run.exitCode(), run.err());
        return run.err();
    }
}
