package dev.prefixflow.job.arrow;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Reads Arrow files with the JavaScript implementation ({@code apache-arrow} on Node.js) through
 * read-arrow.mjs: an independent reader, so files are checked against the format, not just Java's
 * reading of its own writing. The package is installed once into the module's target directory.
 */
final class NodeArrow {
    static final String VERSION = "21.2.0";
    private static final Path HOME = Path.of("target", "node-arrow").toAbsolutePath();
    private static final long INSTALL_SECONDS = 300;
    private static final long READ_SECONDS = 60;

    private NodeArrow() {
    }

    /** read-arrow.mjs's output for the files: {"files": [{path, fileFormat, batches, schema, rows}]}. */
    static synchronized JsonNode read(List<Path> files) throws IOException, InterruptedException {
        install();
        Path script = HOME.resolve("read-arrow.mjs");
        try (InputStream in = NodeArrow.class.getResourceAsStream("/read-arrow.mjs")) {
            Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
        }
        List<String> command = new ArrayList<>(List.of("node", script.toString()));
        files.forEach(f -> command.add(f.toAbsolutePath().toString()));
        return new ObjectMapper().readTree(run(command, READ_SECONDS));
    }

    private static void install() throws IOException, InterruptedException {
        Path installed = HOME.resolve("node_modules/apache-arrow/package.json");
        if (Files.exists(installed) && new ObjectMapper().readTree(installed.toFile()).path("version").asText()
                .equals(VERSION)) {
            return;
        }
        Files.createDirectories(HOME);
        // Its own package.json makes this directory the npm project, not a parent that has one.
        Files.writeString(HOME.resolve("package.json"), "{\"private\": true}\n");
        run(List.of("npm", "install", "--no-audit", "--no-fund", "--no-save", "apache-arrow@" + VERSION),
                INSTALL_SECONDS);
    }

    /** Runs a command in HOME and answers its standard output; fails on error, exit code or overrun. */
    private static String run(List<String> command, long seconds) throws IOException, InterruptedException {
        // Output goes to files, not pipes, so a large output can never block the process.
        Path out = Files.createTempFile(HOME, "out", ".txt");
        Path err = Files.createTempFile(HOME, "err", ".txt");
        try {
            Process process;
            try {
                process = new ProcessBuilder(command).directory(HOME.toFile())
                        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            } catch (IOException e) {
                throw new AssertionError("this test needs Node.js and npm on the PATH (tested with Node.js 20) to read "
                        + "Arrow files with apache-arrow; could not start " + command.get(0), e);
            }
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not end within " + seconds + " s");
            }
            if (process.exitValue() != 0) {
                throw new AssertionError(String.join(" ", command) + " failed with exit code " + process.exitValue()
                        + ":\n" + Files.readString(err, UTF_8));
            }
            return Files.readString(out, UTF_8);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
