package dev.prefixflow.engine;

import dev.prefixflow.engine.tier.BlockTier;
import dev.prefixflow.lora.LoraAdapters;
import dev.prefixflow.model.LoadedModel;
import dev.prefixflow.model.ModelLoader;
import dev.prefixflow.platform.AttentionBackend;
import dev.prefixflow.platform.Platform;
import dev.prefixflow.platform.Platforms;
import dev.prefixflow.testing.TestModels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The kjv-5m Q8_0 model on the real platform with its two LoRA adapters ("psalms", "gospels"),
 * loaded once per test JVM, and engines over them.
 */
final class TestEngines {
    static final String MODEL = "kjv-5m-q80.gguf";
    private static LoadedModel model;
    private static LoraAdapters adapters;

    private TestEngines() {
    }

    static synchronized LoadedModel model() {
        if (model == null) {
            try {
                model = ModelLoader.load(TestModels.path(MODEL), platform());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return model;
    }

    static synchronized LoraAdapters adapters() {
        if (adapters == null) {
            try {
                adapters = LoraAdapters.load(Map.of("psalms", TestModels.path("kjv-5m-lora-psalms.gguf"),
                        "gospels", TestModels.path("kjv-5m-lora-gospels.gguf")), model(), platform());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return adapters;
    }

    static Platform platform() {
        return Platforms.select(null);
    }

    /** The attention backend the platform picks for the model. */
    static AttentionBackend attention() {
        return EngineFactory.attention(model().config(), platform());
    }

    static LlmEngine engine(EngineConfig config) {
        return engine(config, BlockTier.NONE);
    }

    static LlmEngine engine(EngineConfig config, BlockTier tier) {
        return new LlmEngine(model(), attention(), config, adapters(), tier, System::nanoTime);
    }

    /** Runs the requests to completion on a fresh engine; results by request id. */
    static Map<String, RequestResult> run(EngineConfig config, List<Request> requests) {
        LlmEngine engine = engine(config);
        requests.forEach(engine::addRequest);
        Map<String, RequestResult> byId = new HashMap<>();
        for (RequestResult r : engine.runUntilDone()) {
            byId.put(r.id(), r);
        }
        return byId;
    }
}
