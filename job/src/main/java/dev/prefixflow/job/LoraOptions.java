package dev.prefixflow.job;

import dev.prefixflow.lora.LoraAdapters;
import dev.prefixflow.model.LoadedModel;
import dev.prefixflow.platform.Platform;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** The LoRA adapters a multi-request command offers; each request picks one by name. */
final class LoraOptions {
    @Option(names = "--lora", paramLabel = "NAME=PATH",
            description = "LoRA adapter (GGUF) that requests pick with \"lora\": \"NAME\" (repeatable).")
    Map<String, Path> adapters = new LinkedHashMap<>();

    LoraAdapters load(LoadedModel model, Platform platform) throws IOException {
        return LoraAdapters.load(adapters, model, platform);
    }
}
