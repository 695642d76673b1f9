package dev.prefixflow.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefixflow.gguf.GgufFile;
import dev.prefixflow.gguf.GgufFormatException;
import dev.prefixflow.gguf.GgufWriter;
import dev.prefixflow.platform.Platform;
import dev.prefixflow.platform.PlatformCapabilities;
import dev.prefixflow.platform.offheap.OffHeapPlatform;
import dev.prefixflow.testing.RestrictedPlatform;
import dev.prefixflow.testing.TestModels;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The architecture registry: what it refuses, and why, before any weight is read; metadata errors point at their key. */
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
            assertEquals(file.offset("general.architecture"), e.offset(), "the error points at the key's value");
            assertTrue(e.offset() > 0);
        }
    }

    @Test
    void aBadHyperparameterIsReportedWhereItsKeyIs() throws IOException {
        Path path = dir.resolve("odd-heads.gguf");
        new GgufWriter().putString("general.architecture", "llama").putUInt32("llama.embedding_length", 100)
                .putUInt32("llama.block_count", 1).putUInt32("llama.attention.head_count", 3)
                .putUInt32("llama.feed_forward_length", 8).putUInt32("llama.context_length", 16).write(path);
        try (GgufFile file = GgufFile.open(path)) {
            GgufFormatException e = assertThrows(GgufFormatException.class, () -> ModelConfig.read(file, 10, false));
            assertEquals("llama.embedding_length", e.field());
            assertEquals(file.offset("llama.embedding_length"), e.offset());
            assertTrue(e.offset() > 0);
        }
    }

    /** A windowed model on a platform that does not declare sliding-window attention fails at load, by name. */
    @ParameterizedTest
    @ValueSource(strings = {"gemma2", "gemma3", "phi3"})
    void aWindowedModelIsRefusedWhereThePlatformHasNoSlidingWindow(String arch) throws IOException {
        PlatformCapabilities c = new OffHeapPlatform().capabilities();
        Platform noWindow = RestrictedPlatform.of(new OffHeapPlatform(), c.chunkedPrefill(), c.prefixCaching(), false,
                c.lora());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelLoader.load(TestModels.path("arch/" + arch + "-ref.gguf"), noWindow));
        assertTrue(e.getMessage().contains("needs sliding-window attention") && e.getMessage().contains(noWindow.name()),
                e.getMessage());
    }
}
