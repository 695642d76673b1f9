package dev.prefixflow.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the test models: system property {@code prefixflow.models}, else the nearest {@code models/} above the working directory. */
public final class TestModels {

    private TestModels() {}

    public static Path path(String fileName) {
        Path file = directory().resolve(fileName);
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("test model file not found: " + file);
        }
        return file;
    }

    private static Path directory() {
        String configured = System.getProperty("prefixflow.models");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        for (Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("models"))) {
                return dir.resolve("models");
            }
        }
        throw new IllegalStateException("no models/ directory above " + System.getProperty("user.dir"));
    }
}
