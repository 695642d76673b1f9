package dev.prefixflow.engine;

import dev.prefixflow.conformance.GreedyReferences;
import java.io.IOException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The qwen2 architecture and GPT-2's byte-level BPE on the engine against PyTorch float32: for both
 * GGUF encodings of qwen2-bpe and every prompt, the prompt ids and the reference's 64 greedy tokens
 * and text. The forward pass's config, tokens and logits are checked on every platform by {@link
 * dev.prefixflow.conformance.PlatformConformance} (measured logit differences are at most 8.6e-6
 * (F16) and 8.9e-6 (Q8_0), below the smallest top-1/top-2 margins: F16 2.1e-4, Q8_0 1.9e-3).
 */
class Qwen2ReferenceOutputsTest {

    @ParameterizedTest
    @ValueSource(strings = {"qwen2-bpe-f16.gguf", "qwen2-bpe-q80.gguf"})
    void promptIdsGreedyTokensAndTextMatchTheReferences(String file) throws IOException {
        ReferenceOutputsTest.checkAgainst(GreedyReferences.read("qwen2-bpe-references.json"), file);
    }
}
