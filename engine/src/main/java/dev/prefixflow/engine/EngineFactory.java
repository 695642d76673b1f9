package dev.prefixflow.engine;

import dev.prefixflow.engine.tier.BlockTier;
import dev.prefixflow.lora.LoraAdapters;
import dev.prefixflow.model.LoadedModel;
import dev.prefixflow.model.ModelConfig;
import dev.prefixflow.platform.AttentionBackend;
import dev.prefixflow.platform.Platform;
import dev.prefixflow.platform.PlatformCapabilities;
import java.io.IOException;
import java.util.function.LongSupplier;

/**
 * The one place that turns a model, a platform and {@link EngineSettings} into an engine: it picks the
 * platform's attention backend, sizes the KV pool, loads the LoRA adapters, and asks the platform's
 * capabilities where they matter. Commands and operators ask this for an engine, never for a backend.
 */
public final class EngineFactory {

    private EngineFactory() {
    }

    /** An engine without the evicted-block tier, timed by the system clock. */
    public static LlmEngine create(LoadedModel model, Platform platform, EngineSettings settings) throws IOException {
        return create(model, platform, settings, BlockTier.NONE, System::nanoTime);
    }

    /**
     * @param tier where evicted cached blocks go; {@link BlockTier#NONE} for none
     * @throws IllegalArgumentException when the settings need what the platform lacks (LoRA adapters)
     */
    public static LlmEngine create(LoadedModel model, Platform platform, EngineSettings settings, BlockTier tier,
                                   LongSupplier clock) throws IOException {
        PlatformCapabilities can = platform.capabilities();
        if (!settings.loraPaths().isEmpty() && !can.lora()) {
            throw new IllegalArgumentException("platform '" + platform.name() + "' cannot apply LoRA adapters; "
                    + "drop --lora or pick a platform that declares LoRA");
        }
        LoraAdapters adapters = LoraAdapters.load(settings.loraFiles(), model, platform);
        return new LlmEngine(model, attention(model.config(), platform), config(model.config(), platform, settings), adapters, tier,
                clock);
    }

    /**
     * The engine config the settings give on this platform: the KV pool sized by default where the
     * settings leave it open, prefix caching and chunked prefill only where the platform declares them.
     */
    public static EngineConfig config(ModelConfig model, Platform platform, EngineSettings s) {
        PlatformCapabilities can = platform.capabilities();
        int blocks = s.kvCacheBlocks() > 0 ? s.kvCacheBlocks()
                : EngineConfig.defaultKvBlocks(model, s.maxNumSeqs(), s.blockSize(), platform.memoryInfo());
        return new EngineConfig(s.maxNumSeqs(), s.maxNumBatchedTokens(), s.blockSize(), blocks,
                s.prefixCaching() && can.prefixCaching(), s.preemptionMode(), can.chunkedPrefill());
    }

    /**
     * The attention backend the platform picks for the model's head size and KV cache dtype; none
     * that fits is an error naming what the platform has.
     */
    public static AttentionBackend attention(ModelConfig model, Platform platform) {
        return model.attentionBackend(platform);
    }
}
