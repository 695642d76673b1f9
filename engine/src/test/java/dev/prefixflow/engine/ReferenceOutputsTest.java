package dev.prefixflow.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prefixflow.engine.tier.BlockTier;
import dev.prefixflow.lora.LoraAdapters;
import dev.prefixflow.model.LoadedModel;
import dev.prefixflow.model.ModelLoader;
import dev.prefixflow.platform.Platform;
import dev.prefixflow.platform.Platforms;
import dev.prefixflow.sampling.SamplingParams;
import dev.prefixflow.testing.TestModels;
import java.io.IOException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The engine against independent implementations (PyTorch float32, llama2.c): for every prompt and
 * every GGUF encoding of kjv-5m, the prompt's token ids, 64 greedy tokens, their text, and at every
 * generated position the logits of the reference's five best tokens.
 */
class ReferenceOutputsTest {
    /**
     * Logits may differ from the reference by float32 rounding in another summation order. Measured
     * differences are at most 1.1e-5 on all six files; the bound is ten times that, and still three
     * times below the smallest top-1/top-2 margin in the references (3e-4).
     */
    static final double LOGIT_TOLERANCE = 1e-4;

    static final Platform platform = Platforms.select(null);
    static GreedyReferences references;

    @BeforeAll
    static void readReferences() throws IOException {
        references = GreedyReferences.read("kjv-references.json");
    }

    @ParameterizedTest
    @ValueSource(strings = {"kjv-5m-f32.gguf", "kjv-5m-f16.gguf", "kjv-5m-q80.gguf", "kjv-5m-q40.gguf",
        "kjv-5m-q4km.gguf", "kjv-5m-q6k.gguf"})
    void greedyTokensTextAndLogitsMatchTheReferences(String file) throws IOException {
        checkAgainst(references, file);
    }

    /**
     * For every prompt of {@code refs}: the tokenizer's ids equal the reference prompt ids; greedy
     * decoding through the forward pass gives the reference tokens with top-5 logits within {@link
     * #LOGIT_TOLERANCE}; the engine gives the same tokens and the reference text.
     */
    static void checkAgainst(GreedyReferences refs, String file) throws IOException {
        double maxDiff = 0;
        try (LoadedModel model = ModelLoader.load(TestModels.path(file), platform)) {
            for (JsonNode prompt : refs.prompts()) {
                String name = file + " / " + prompt.get("name").asText();
                int[] ids = model.tokenizer().encode(prompt.get("text").asText(), true);
                assertArrayEquals(GreedyReferences.ints(prompt.get("prompt_token_ids")), ids,
                        name + ": prompt token ids");
                JsonNode ref = prompt.get("greedy").get(file);
                int n = ref.get("token_ids").size();
                GreedyReferences.Greedy greedy = GreedyReferences.generate(model.model(), platform, ids, n);
                maxDiff = Math.max(maxDiff, GreedyReferences.assertMatches(name, prompt, file, greedy,
                        LOGIT_TOLERANCE));

                // The same tokens through the engine, which also produces the text.
                RequestResult viaEngine = runOnEngine(model, LoraAdapters.NONE, null, ids, n);
                assertArrayEquals(greedy.tokens(), viaEngine.tokenIds(), name + ": engine vs step-by-step forward");
                assertEquals(ref.get("text").asText(), viaEngine.text(), name + ": completion text");
            }
        }
        System.err.printf("%s: largest logit difference from the reference %.2e%n", file, maxDiff);
    }

    /** One greedy request alone on the engine, with the adapter named {@code lora} (null: none). */
    static RequestResult runOnEngine(LoadedModel model, LoraAdapters adapters, String lora, int[] prompt, int n) {
        int blocks = (model.config().contextLength() + 15) / 16;
        LlmEngine engine = new LlmEngine(model, EngineFactory.attention(platform),
                new EngineConfig(1, 512, 16, blocks, false), adapters, BlockTier.NONE, System::nanoTime);
        engine.addRequest(new Request("reference", prompt, SamplingParams.greedy(n).withIgnoreEos(true), lora));
        return engine.runUntilDone().get(0);
    }
}
