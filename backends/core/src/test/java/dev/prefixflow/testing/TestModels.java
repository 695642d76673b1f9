package dev.prefixflow.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates the checked-in test models: the {@code prefixflow.models} system property (set by the
 * build), else the nearest {@code models/} directory above the working directory, so tests also run
 * from an IDE.
 */
public final class TestModels {
    private TestModels() {
    }

    /** The model file; fails loudly when it cannot be found, since a skipped check proves nothing. */
    public static Path path(String fileName) {
        Path file = dir().resolve(fileName);
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("test model " + file + " does not exist");
        }
        return file;
    }

    private static Path dir() {
        String configured = System.getProperty("prefixflow.models");
        if (configured != null && Files.isDirectory(Path.of(configured))) {
            return Path.of(configured);
        }
        for (Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("models"))) {
                return p.resolve("models");
            }
        }
        throw new IllegalStateException("no models/ directory: set -Dprefixflow.models or run inside"
                + " the project");
    }
}
