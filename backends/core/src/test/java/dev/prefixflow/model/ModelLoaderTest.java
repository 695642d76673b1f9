package dev.prefixflow.model;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefixflow.gguf.GgufFile;
import dev.prefixflow.gguf.GgufFormatException;
import dev.prefixflow.gguf.GgufWriter;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The architecture registry: an unknown {@code general.architecture} is refused before any weight is read. */
class ModelLoaderTest {

    @TempDir
    Path dir;

    @Test
    void anUnknownArchitectureIsRefusedWithTheSupportedOnes() throws IOException {
        Path path = dir.resolve("mamba.gguf");
        new GgufWriter().putString("general.architecture", "mamba").write(path);
        try (GgufFile file = GgufFile.open(path)) {
            GgufFormatException e = assertThrows(GgufFormatException.class,
                    () -> ModelLoader.loadModel(file, null, 10));
            assertTrue(e.getMessage().contains("architecture 'mamba' is not supported"), e.getMessage());
            assertTrue(e.getMessage().contains("llama") && e.getMessage().contains("qwen2"), e.getMessage());
        }
    }
}
