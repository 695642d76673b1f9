package dev.prefixflow.model;

import dev.prefixflow.gguf.GgufFile;
import dev.prefixflow.tokenizer.Tokenizer;
import java.nio.file.Path;

/** A model ready to run, with the tokenizer of its file. Closing it releases the file. */
public record LoadedModel(Path path, GgufFile file, Model model, Tokenizer tokenizer) implements AutoCloseable {

    public ModelConfig config() {
        return model.config();
    }

    @Override
    public void close() {
        file.close();
    }
}
