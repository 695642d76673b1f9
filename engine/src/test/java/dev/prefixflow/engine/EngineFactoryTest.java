package dev.prefixflow.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefixflow.platform.Platform;
import dev.prefixflow.sampling.SamplingParams;
import dev.prefixflow.testing.RestrictedPlatform;
import dev.prefixflow.testing.TestModels;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The factory asks the platform's capabilities: the real platform with some of them withdrawn (its
 * kernels still do the work) must get an engine that does without them, or a clear refusal.
 */
class EngineFactoryTest {
    private static final String MODEL = TestModels.path(TestEngines.MODEL).toString();

    @Test
    void loraAdaptersOnAPlatformWithoutLoraAreRefusedAtLoad() {
        Platform noLora = withCapabilities(false, true, true);
        EngineSettings settings = EngineSettings.of(MODEL)
                .withLora(Map.of("psalms", TestModels.path("kjv-5m-lora-psalms.gguf").toString()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EngineFactory.create(TestEngines.model(), noLora, settings));
        assertTrue(e.getMessage().contains("cannot apply LoRA adapters"), e.getMessage());
    }

    @Test
    void prefixCachingAndChunkedPrefillAreSwitchedOffWhereNotDeclared() {
        EngineSettings settings = EngineSettings.of(MODEL).withLimits(4, 64, 16, 64);
        EngineConfig full = EngineFactory.config(TestEngines.model().config(), TestEngines.platform(), settings);
        assertTrue(full.prefixCaching() && full.chunkedPrefill());
        EngineConfig bare = EngineFactory.config(TestEngines.model().config(), withCapabilities(true, false, false),
                settings);
        assertFalse(bare.prefixCaching());
        assertFalse(bare.chunkedPrefill());
        assertEquals(full.numKvBlocks(), bare.numKvBlocks());
    }

    @Test
    void withoutChunkedPrefillPromptsRunWholeAndGiveTheSameTokens() throws Exception {
        Platform unchunked = withCapabilities(true, true, false);
        EngineSettings settings = EngineSettings.of(MODEL).withLimits(4, 64, 16, 64);
        int[] prompt = IntStream.range(0, 40).map(i -> 3 + 7 * i).toArray();
        SamplingParams params = SamplingParams.greedy(8).withIgnoreEos(true);

        LlmEngine engine = EngineFactory.create(TestEngines.model(), unchunked, settings);
        engine.addRequest(new Request("short", new int[] {1, 450, 365}, params, null));
        engine.step();
        engine.addRequest(new Request("long", prompt, params, null));
        // 40 prompt tokens and 8 to generate fit the 64-token budget; the prompt is never split.
        engine.addRequest(new Request("too long", IntStream.range(0, 60).map(i -> 3 + i).toArray(), params, null));
        long before = engine.metrics().computedTokens();
        List<RequestResult> results = new java.util.ArrayList<>(engine.step());
        assertEquals(1 + 40, engine.metrics().computedTokens() - before, "one decode and the whole prompt");
        results.addAll(engine.runUntilDone());

        RequestResult tooLong = results.stream().filter(r -> r.id().equals("too long")).findFirst().orElseThrow();
        assertTrue(tooLong.isError());
        assertTrue(tooLong.error().message().contains("cannot split a prefill"), tooLong.error().message());
        RequestResult chunked = TestEngines.run(new EngineConfig(4, 16, 16, 64, true),
                List.of(new Request("long", prompt, params, null))).get("long");
        RequestResult whole = results.stream().filter(r -> r.id().equals("long")).findFirst().orElseThrow();
        assertArrayEquals(chunked.tokenIds(), whole.tokenIds());
    }

    /** The real platform, declaring only the capabilities given. */
    private static Platform withCapabilities(boolean lora, boolean prefixCaching, boolean chunkedPrefill) {
        return RestrictedPlatform.of(TestEngines.platform(), chunkedPrefill, prefixCaching,
                TestEngines.platform().capabilities().slidingWindow(), lora);
    }
}
