package dev.prefixflow.lora;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefixflow.gguf.GgmlType;
import dev.prefixflow.gguf.GgufFormatException;
import dev.prefixflow.gguf.GgufWriter;
import dev.prefixflow.model.LoadedModel;
import dev.prefixflow.model.ModelLoader;
import dev.prefixflow.platform.Platform;
import dev.prefixflow.platform.PlatformCapabilities;
import dev.prefixflow.platform.Platforms;
import dev.prefixflow.testing.TestModels;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Adapters crafted with GgufWriter against kjv-5m (dim 256, kv dim 64): what loads and what fails, and where. */
class LoraAdapterLoaderTest {
    static final Platform PLATFORM = Platforms.select(null);
    static LoadedModel base;

    @TempDir
    Path dir;

    @BeforeAll
    static void loadBase() throws IOException {
        base = ModelLoader.load(TestModels.path("kjv-5m-q80.gguf"), PLATFORM);
    }

    @AfterAll
    static void closeBase() {
        base.close();
    }

    /** An adapter header for kjv-5m: llama, adapter, lora, alpha 8. */
    private static GgufWriter adapter(String architecture) {
        return new GgufWriter().putString("general.architecture", architecture).putString("general.type", "adapter")
                .putString("adapter.type", "lora").putFloat32("adapter.lora.alpha", 8f);
    }

    private static GgufWriter pair(GgufWriter w, String baseTensor, long nIn, long rank, long nOut) {
        return w.addTensor(baseTensor + ".lora_a", GgmlType.F32, new long[] {nIn, rank}, new byte[(int) (4 * nIn * rank)])
                .addTensor(baseTensor + ".lora_b", GgmlType.F32, new long[] {rank, nOut}, new byte[(int) (4 * rank * nOut)]);
    }

    private LoraAdapter load(GgufWriter w) throws IOException {
        Path file = dir.resolve("adapter.gguf");
        w.write(file);
        return LoraAdapterLoader.load("crafted", file, base, PLATFORM);
    }

    @Test
    void aWellFormedAdapterLoadsWithAlphaOverRank() throws IOException {
        LoraAdapter a = load(pair(pair(adapter("llama"), "blk.0.attn_q.weight", 256, 4, 256),
                "blk.5.attn_v.weight", 256, 4, 64));
        LoraPair q = a.pair(0, LoraTarget.Q);
        assertNotNull(q);
        assertEquals(4, q.rank());
        assertEquals(2f, q.scale());
        assertEquals(64, a.pair(5, LoraTarget.V).b().rows());
        assertNull(a.pair(0, LoraTarget.V));
        assertEquals("crafted", a.name());
    }

    @Test
    void anotherArchitectureFails() {
        GgufFormatException e = assertThrows(GgufFormatException.class,
                () -> load(pair(adapter("qwen2"), "blk.0.attn_q.weight", 256, 4, 256)));
        assertEquals("general.architecture", e.field());
    }

    @Test
    void aModelFileIsNotAnAdapter() {
        GgufFormatException e = assertThrows(GgufFormatException.class,
                () -> load(pair(adapter("llama").putString("general.type", "model"), "blk.0.attn_q.weight", 256, 4, 256)));
        assertEquals("general.type", e.field());
    }

    @Test
    void aShapeForAnotherModelFailsNamingTheTensor() {
        // lora_a for a 128-wide model.
        GgufFormatException a = assertThrows(GgufFormatException.class,
                () -> load(pair(adapter("llama"), "blk.0.attn_q.weight", 128, 4, 256)));
        assertEquals("blk.0.attn_q.weight.lora_a", a.field());
        // lora_b as if attn_v had 256 outputs (kjv-5m's has 64).
        GgufFormatException b = assertThrows(GgufFormatException.class,
                () -> load(pair(adapter("llama"), "blk.0.attn_v.weight", 256, 4, 256)));
        assertEquals("blk.0.attn_v.weight.lora_b", b.field());
        assertTrue(b.getMessage().contains("[4, 64]"), b.getMessage());
    }

    @Test
    void aTensorTheBaseLacksFailsNamingIt() {
        // kjv-5m has 6 layers.
        GgufFormatException e = assertThrows(GgufFormatException.class,
                () -> load(pair(adapter("llama"), "blk.6.attn_q.weight", 256, 4, 256)));
        assertEquals("blk.6.attn_q.weight.lora_a", e.field());
    }

    @Test
    void anUnsupportedTargetOrAHalfPairFailsNamingTheTensor() {
        GgufFormatException embedding = assertThrows(GgufFormatException.class,
                () -> load(pair(adapter("llama"), "token_embd.weight", 256, 4, 2048)));
        assertEquals("token_embd.weight.lora_a", embedding.field());
        GgufFormatException half = assertThrows(GgufFormatException.class, () -> load(adapter("llama")
                .addTensor("blk.0.attn_q.weight.lora_a", GgmlType.F32, new long[] {256, 4}, new byte[4 * 256 * 4])));
        assertEquals("blk.0.attn_q.weight.lora_a", half.field());
    }

    @Test
    void aPlatformWithoutLoraCapabilityIsRefused() {
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> LoraAdapterLoader.requireSupport("plain", new PlatformCapabilities(Set.of(GgmlType.F32),
                        true, true, false, false)));
        assertTrue(e.getMessage().contains("'plain' does not support LoRA"), e.getMessage());
        LoraAdapterLoader.requireSupport("lora", new PlatformCapabilities(Set.of(GgmlType.F32), true, true, false,
                true));
    }
}
