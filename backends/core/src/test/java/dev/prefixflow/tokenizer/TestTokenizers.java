package dev.prefixflow.tokenizer;

import dev.prefixflow.gguf.GgufFile;
import dev.prefixflow.testing.TestModels;
import java.io.IOException;

/** The test models' tokenizers, read from their GGUF files the way the engine reads them. */
final class TestTokenizers {
    private TestTokenizers() {
    }

    /** kjv-5m's SentencePiece tokenizer. */
    static Tokenizer kjv() throws IOException {
        return load("kjv-5m-q80.gguf");
    }

    /** qwen2-bpe's byte-level BPE tokenizer: GPT-2's vocabulary and merges. */
    static Tokenizer gpt2() throws IOException {
        return load("qwen2-bpe-f16.gguf");
    }

    private static Tokenizer load(String model) throws IOException {
        try (GgufFile file = GgufFile.open(TestModels.path(model))) {
            return TokenizerLoader.fromGguf(file);
        }
    }
}
