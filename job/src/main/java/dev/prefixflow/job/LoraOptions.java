package dev.prefixflow.job;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** The LoRA adapters a multi-request command offers; each request picks one by name. */
final class LoraOptions {
    @Option(names = "--lora", paramLabel = "NAME=PATH",
            description = "LoRA adapter (GGUF) that requests pick with \"lora\": \"NAME\" (repeatable).")
    Map<String, Path> adapters = new LinkedHashMap<>();

    /** The adapter files by name, as absolute paths: TaskManagers open them from another working directory. */
    Map<String, String> paths() {
        Map<String, String> paths = new LinkedHashMap<>();
        adapters.forEach((name, path) -> paths.put(name, path.toAbsolutePath().toString()));
        return paths;
    }
}
