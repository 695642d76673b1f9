package dev.prefixflow.model;

import dev.prefixflow.chat.ChatFormat;
import dev.prefixflow.gguf.GgufFile;
import dev.prefixflow.gguf.GgufFormatException;
import dev.prefixflow.tokenizer.Tokenizer;
import dev.prefixflow.tokenizer.TokenizerLoader;
import java.io.IOException;
import java.nio.file.Path;

/**
 * What a model file says without loading its weights: its tokenizer, chat template (null when it
 * has none) and context length. Enough to read and route requests (the weights are needed only where
 * inference runs).
 */
public record ModelMetadata(Tokenizer tokenizer, String chatTemplate, int contextLength) {

    public static ModelMetadata read(Path path) throws IOException {
        try (GgufFile file = GgufFile.open(path)) {
            String arch = file.getString("general.architecture");
            int context = arch == null ? -1 : file.getInt(arch + ".context_length", -1);
            if (context <= 0) {
                throw new GgufFormatException(path, file.offset(arch + ".context_length"), arch + ".context_length",
                        "expected a positive context length");
            }
            return new ModelMetadata(TokenizerLoader.fromGguf(file), file.getString(ChatFormat.TEMPLATE_KEY), context);
        }
    }
}
