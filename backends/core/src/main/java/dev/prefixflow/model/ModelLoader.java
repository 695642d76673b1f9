package dev.prefixflow.model;

import dev.prefixflow.gguf.GgufFile;
import dev.prefixflow.gguf.GgufFormatException;
import dev.prefixflow.platform.Platform;
import dev.prefixflow.tokenizer.Tokenizer;
import dev.prefixflow.tokenizer.TokenizerLoader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Opens a GGUF model file: its tokenizer, then the architecture named in its metadata, on a platform. */
public final class ModelLoader {

    /**
     * Every architecture PrefixFlow can run, by its {@code general.architecture} name. Adding one is
     * adding its class here; nothing else in the engine knows architectures by name.
     */
    private static final Map<String, Architecture> ARCHITECTURES = List.<Architecture>of(
                    new LlamaArchitecture(),
                    new Qwen2Architecture(),
                    new Qwen3Architecture(),
                    new Gemma2Architecture(),
                    new Gemma3Architecture(),
                    new Phi3Architecture())
            .stream().collect(Collectors.toUnmodifiableMap(Architecture::name, Function.identity()));

    private ModelLoader() {
    }

    public static LoadedModel load(Path path, Platform platform) throws IOException {
        GgufFile file = GgufFile.open(path);
        try {
            Architecture architecture = architecture(file);
            Tokenizer tokenizer = TokenizerLoader.fromGguf(file);
            Model model = architecture.load(file, tokenizer.vocabularySize(), platform);
            return new LoadedModel(path, file, model, tokenizer);
        } catch (IOException | RuntimeException e) {
            file.close();
            throw e;
        }
    }

    /**
     * The weights alone, for a vocabulary of {@code vocabSize} tokens: for callers that bring their
     * own token ids (tests of a file whose tokenizer is not read here). The file stays open.
     */
    public static Model loadModel(GgufFile file, Platform platform, int vocabSize) throws IOException {
        return architecture(file).load(file, vocabSize, platform);
    }

    private static Architecture architecture(GgufFile file) throws GgufFormatException {
        String name = file.getString("general.architecture");
        if (name == null) {
            throw new GgufFormatException(file.path(), -1, "general.architecture", "the key is missing");
        }
        Architecture architecture = ARCHITECTURES.get(name);
        if (architecture == null) {
            throw new GgufFormatException(file.path(), file.offset("general.architecture"), "general.architecture", "architecture '" + name
                    + "' is not supported; supported: " + ARCHITECTURES.keySet());
        }
        return architecture;
    }
}
