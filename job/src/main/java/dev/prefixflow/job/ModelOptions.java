package dev.prefixflow.job;

import dev.prefixflow.engine.EngineSettings;
import dev.prefixflow.job.download.ModelDownloader;
import dev.prefixflow.job.download.ModelReference;
import dev.prefixflow.gguf.GgufFile;
import dev.prefixflow.model.LoadedModel;
import dev.prefixflow.model.ModelLoader;
import dev.prefixflow.platform.Platform;
import dev.prefixflow.platform.Platforms;
import dev.prefixflow.tokenizer.Tokenizer;
import dev.prefixflow.tokenizer.TokenizerLoader;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The options that pick a model file and the platform it runs on, and how progress is shown (of a
 * download, and of the command's own work).
 */
final class ModelOptions {
    @Mixin
    ProgressOptions progress;

    @Option(names = "--model", required = true,
            description = "GGUF model: a local path, or hf:OWNER/REPO/FILE.gguf[@REVISION] (downloaded once).")
    String model;

    @Option(names = "--model-cache", description = "Where hub downloads are kept (default: ${DEFAULT-VALUE}).",
            defaultValue = "${sys:user.home}/.cache/prefixflow/models")
    Path modelCache;

    @Option(names = "--hub-endpoint", description = "Model hub endpoint (default: ${DEFAULT-VALUE}).",
            defaultValue = "${env:HF_ENDPOINT:-https://huggingface.co}")
    URI hubEndpoint;

    @Option(names = "--platform", description = "Platform to run on (default: the best available).")
    String platform;

    private Platform selected;

    /** The platform, chosen once; its advice for this JVM goes to stderr then. */
    Platform platform() {
        if (selected == null) {
            selected = Platforms.select(platform);
            selected.advice().forEach(a -> System.err.println("prefixflow: advice: " + a));
        }
        return selected;
    }

    /** The local model file, downloading it first when it is a hub reference not yet cached. */
    Path modelPath() throws IOException {
        URI endpoint = hubEndpoint.toString().endsWith("/") ? hubEndpoint : URI.create(hubEndpoint + "/");
        return new ModelDownloader(endpoint, modelCache, new PrintWriter(System.err), progress.style())
                .resolve(ModelReference.parse(model));
    }

    /** The settings of an engine for this model on this platform, with vLLM's default limits. */
    EngineSettings settings() throws IOException {
        return EngineSettings.of(modelPath().toString()).withPlatform(platform);
    }

    LoadedModel load() throws IOException {
        return ModelLoader.load(modelPath(), platform());
    }

    /** The model file's tokenizer alone: no weights, any architecture (vocabulary-only files too). */
    Tokenizer tokenizer() throws IOException {
        try (GgufFile file = GgufFile.open(modelPath())) {
            return TokenizerLoader.fromGguf(file);
        }
    }
}
