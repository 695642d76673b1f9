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

    /** The file for this shape, type and seed, writing it first when the directory lacks it. */
    Path get(ModelShape shape, GgmlType type, long seed, PrintWriter log) throws IOException {
        Path file = dir.resolve(SyntheticModel.fileName(shape, type, seed));
        if (Files.isRegularFile(file)) {
            return file;
        }
        Files.createDirectories(dir);
        log.printf("generating %s ...%n", file);
        log.flush();
        long start = System.nanoTime();
        // Written aside and moved in, so an interrupted run never leaves a truncated model to be reused.
        Path partial = dir.resolve(file.getFileName() + ".part");
        SyntheticModel.write(shape, type, seed, partial);
        Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        log.printf("generated %s (%.2f GB) in %.1f s%n", file, Files.size(file) / 1e9,
                (System.nanoTime() - start) / 1e9);
        log.flush();
        return file;
    }
}
