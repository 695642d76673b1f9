package dev.prefixflow.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefixflow.model.LoadedModel;
import dev.prefixflow.model.ModelConfig;
import dev.prefixflow.model.ModelLoader;
import dev.prefixflow.testing.TestModels;
import java.io.IOException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The qwen2 architecture (q/k/v biases, NEOX RoPE over the whole head, tied output, eps 1e-6, RoPE
 * base 1e6) and GPT-2's byte-level BPE against PyTorch float32 and a separate NumPy forward: for
 * both GGUF encodings of qwen2-bpe and every prompt, the prompt ids, 64 greedy tokens, their text and
 * the reference's top-5 logits at each position. Measured logit differences are at most 8.6e-6
 * (F16) and 8.9e-6 (Q8_0), below the smallest top-1/top-2 margins (F16 2.1e-4, Q8_0 1.9e-3).
 */
class Qwen2ReferenceOutputsTest {

    @ParameterizedTest
    @ValueSource(strings = {"qwen2-bpe-f16.gguf", "qwen2-bpe-q80.gguf"})
    void promptIdsGreedyTokensTextAndLogitsMatchTheReferences(String file) throws IOException {
        try (LoadedModel model = ModelLoader.load(TestModels.path(file), ReferenceOutputsTest.platform)) {
            assertQwen2Config(model.config());
        }
        ReferenceOutputsTest.checkAgainst(GreedyReferences.read("qwen2-bpe-references.json"), file);
    }

    /** The hyperparameters as the file's metadata gives them, RoPE over the whole head. */
    private static void assertQwen2Config(ModelConfig c) {
        assertEquals("qwen2", c.architecture());
        assertEquals(50257, c.vocabSize());
        assertEquals(1e-6f, c.rmsEps());
        assertEquals(1e6f, c.ropeBase());
        assertEquals(32, c.headDim());
        assertEquals(32, c.ropeDims());
        assertTrue(c.neoxRope());
    }
}
