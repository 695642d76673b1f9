package dev.prefixflow.job;

import dev.prefixflow.model.LoadedModel;
import dev.prefixflow.model.ModelLoader;
import dev.prefixflow.platform.Platform;
import dev.prefixflow.platform.Platforms;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options that pick a model file and the platform it runs on. */
final class ModelOptions {
    @Option(names = "--model", required = true, description = "GGUF model file.")
    Path model;

    @Option(names = "--platform", description = "Platform to run on (default: the best available).")
    String platform;

    Platform platform() {
        return Platforms.select(platform);
    }

    LoadedModel load() throws IOException {
        if (!Files.isRegularFile(model)) {
            throw new IOException("model file not found: " + model + " (pass the path of a local .gguf file)");
        }
        return ModelLoader.load(model, platform());
    }
}
