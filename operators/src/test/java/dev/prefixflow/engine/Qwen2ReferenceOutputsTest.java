package dev.prefixflow.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prefixflow.gguf.GgufFile;
import dev.prefixflow.model.Model;
import dev.prefixflow.model.ModelConfig;
import dev.prefixflow.model.ModelLoader;
import dev.prefixflow.platform.Platform;
import dev.prefixflow.platform.Platforms;
import dev.prefixflow.testing.TestModels;
import java.io.IOException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The qwen2 architecture (q/k/v biases, NEOX RoPE over the whole head, tied output, eps 1e-6, RoPE
 * base 1e6) against PyTorch float32 and a separate NumPy forward: for both GGUF encodings of
 * qwen2-bpe and every prompt, 64 greedy tokens and the reference's top-5 logits at each position.
 * Prompts are the reference's GPT-2 token ids and the weights load without a tokenizer, since the
 * byte-level BPE tokenizer (and with it the completion text) is tested on its own.
 */
class Qwen2ReferenceOutputsTest {
    /**
     * Float32 rounding in another summation order. Measured differences are at most 8.6e-6 (F16)
     * and 8.9e-6 (Q8_0); the bound is ten times that, as for kjv-5m, and stays below the smallest
     * top-1/top-2 margin of the references (F16 2.1e-4 on prompt 'long', Q8_0 1.9e-3).
     */
    static final double LOGIT_TOLERANCE = 1e-4;

    static GreedyReferences references;
    static Platform platform;

    @BeforeAll
    static void readReferences() throws IOException {
        references = GreedyReferences.read("qwen2-bpe-references.json");
        platform = Platforms.select(null);
    }

    @ParameterizedTest
    @ValueSource(strings = {"qwen2-bpe-f16.gguf", "qwen2-bpe-q80.gguf"})
    void greedyTokensAndLogitsMatchTheReferences(String file) throws IOException {
        double maxDiff = 0;
        try (GgufFile gguf = GgufFile.open(TestModels.path(file))) {
            String[] vocabulary = gguf.getStringArray("tokenizer.ggml.tokens");
            assertNotNull(vocabulary, "the file's vocabulary");
            Model model = ModelLoader.loadModel(gguf, platform, vocabulary.length);
            assertQwen2Config(model.config());
            long start = System.nanoTime();
            int tokens = 0;
            for (JsonNode prompt : references.prompts()) {
                String name = file + " / " + prompt.get("name").asText();
                int[] ids = GreedyReferences.ints(prompt.get("prompt_token_ids"));
                int n = prompt.get("greedy").get(file).get("token_ids").size();
                GreedyReferences.Greedy greedy = GreedyReferences.generate(model, platform, ids, n);
                maxDiff = Math.max(maxDiff, GreedyReferences.assertMatches(name, prompt, file, greedy,
                        LOGIT_TOLERANCE));
                tokens += n;
            }
            System.err.printf("%s: largest logit difference from the reference %.2e; %.2f ms per generated token%n",
                    file, maxDiff, (System.nanoTime() - start) / 1e6 / tokens);
        }
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
