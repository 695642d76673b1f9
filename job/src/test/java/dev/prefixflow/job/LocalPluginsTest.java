package dev.prefixflow.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.prefixflow.job.testfs.LocalAliasFileSystemFactory;
import dev.prefixflow.testing.TestModels;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.apache.flink.core.fs.FileSystemFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A local run finds file systems in Flink's plugins directory, laid out as on a cluster: here a
 * plugin jar made at test time, in the directory that FLINK_PLUGINS_DIR names (the job module's
 * Surefire configuration sets it), serving the scheme {@code pftest}.
 */
class LocalPluginsTest {

    @Test
    void aFileSystemPluginServesALocalRunsOutput(@TempDir Path dir) throws Exception {
        String pluginsDir = System.getenv("FLINK_PLUGINS_DIR");
        assertNotNull(pluginsDir, "the build sets FLINK_PLUGINS_DIR for the tests");
        writePluginJar(Path.of(pluginsDir).resolve("pftest-fs").resolve("pftest-fs.jar"));

        Path results = dir.resolve("results");
        CliTest.Run run = CliTest.run("run", "--model", TestModels.path("kjv-5m-q80.gguf").toString(),
                "--input", RunCommandTest.examples().toString(),
                "--output", "jsonl:" + LocalAliasFileSystemFactory.SCHEME + "://" + results.toAbsolutePath(),
                "--dead-letter", "jsonl:" + dir.resolve("dead"), "--checkpoint-interval", "500 ms",
                "--checkpoint-dir", dir.resolve("checkpoints").toString());
        assertEquals(0, run.exitCode(), run.err());
        // 27 answers and 3 error results (bad-1, and the two chat lines: no template given); the line that is
        // not JSON is a dead letter.
        assertEquals(30, RunCommandTest.readParts(results).size(), "one result per line with an id, written by the plugin");
    }

    /** The factory's class and its service registration, and nothing else. */
    private static void writePluginJar(Path jar) throws IOException {
        Files.createDirectories(jar.getParent());
        String classFile = LocalAliasFileSystemFactory.class.getName().replace('.', '/') + ".class";
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
             InputStream bytes = LocalAliasFileSystemFactory.class.getClassLoader().getResourceAsStream(classFile)) {
            out.putNextEntry(new JarEntry(classFile));
            bytes.transferTo(out);
            out.putNextEntry(new JarEntry("META-INF/services/" + FileSystemFactory.class.getName()));
            write(out, LocalAliasFileSystemFactory.class.getName() + "\n");
        }
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
    }
}
