package dev.prefixflow.tokenizer;

import dev.prefixflow.gguf.GgufFile;
import dev.prefixflow.testing.TestModels;
import java.io.IOException;

/** The kjv-5m tokenizer, read from its GGUF file the way the engine reads it. */
final class KjvTokenizer {
    private KjvTokenizer() {
    }

    static Tokenizer load() throws IOException {
        try (GgufFile file = GgufFile.open(TestModels.path("kjv-5m-q80.gguf"))) {
            return TokenizerLoader.fromGguf(file);
        }
    }
}
