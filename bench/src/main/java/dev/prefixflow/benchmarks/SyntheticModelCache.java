package dev.prefixflow.benchmarks;

import dev.prefixflow.gguf.GgmlType;
import dev.prefixflow.model.synthetic.ModelShape;
import dev.prefixflow.model.synthetic.SyntheticModel;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Synthetic model files kept in a directory, generated on first use (they are deterministic). */
final class SyntheticModelCache {
    private final Path dir;

    SyntheticModelCache(Path dir) {
        this.dir = dir;
    }

    /** The file for this shape, type and seed with a synthetic vocabulary, written first when missing. */
    Path get(ModelShape shape, GgmlType type, long seed, PrintWriter log) throws IOException {
        return get(shape, type, seed, null, log);
    }

    /**
     * The file for this shape, type and seed, writing it first when the directory lacks it.
     *
     * @param vocabulary a GGUF file whose vocabulary the model takes, or null for a synthetic one
     */
    Path get(ModelShape shape, GgmlType type, long seed, Path vocabulary, PrintWriter log) throws IOException {
        String name = SyntheticModel.fileName(shape, type, seed);
        if (vocabulary != null) {
            name = name.replace(".gguf", "-" + vocabulary.getFileName().toString().replace(".gguf", "") + ".gguf");
        }
        Path file = dir.resolve(name);
        if (Files.isRegularFile(file)) {
            return file;
        }
        Files.createDirectories(dir);
        log.printf("generating %s ...%n", file);
        log.flush();
        long start = System.nanoTime();
        // Written aside and moved in, so an interrupted run never leaves a truncated model to be reused.
        Path partial = dir.resolve(file.getFileName() + ".part");
        if (vocabulary == null) {
            SyntheticModel.write(shape, type, seed, partial);
        } else {
            SyntheticModel.write(shape, type, seed, partial, vocabulary);
        }
        Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        log.printf("generated %s (%.2f GB) in %.1f s%n", file, Files.size(file) / 1e9,
                (System.nanoTime() - start) / 1e9);
        log.flush();
        return file;
    }
}
