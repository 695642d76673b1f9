package dev.prefixflow.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prefixflow.conformance.GreedyReferences;
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
 * every GGUF encoding of kjv-5m, the prompt's token ids, and the reference's 64 greedy tokens and
 * their text from one request on the engine. The forward pass alone (greedy tokens and top-5 logits
 * at every position) is checked on every platform by {@link dev.prefixflow.conformance.PlatformConformance}.
 */
class ReferenceOutputsTest {
    static final Platform platform = Platforms.select(null);
    static GreedyReferences references;

    @BeforeAll
    static void readReferences() throws IOException {
        references = GreedyReferences.read("kjv-references.json");
    }

    @ParameterizedTest
    @ValueSource(strings = {"kjv-5m-f32.gguf", "kjv-5m-f16.gguf", "kjv-5m-q80.gguf", "kjv-5m-q40.gguf",
        "kjv-5m-q4km.gguf", "kjv-5m-q6k.gguf"})
    void promptIdsGreedyTokensAndTextMatchTheReferences(String file) throws IOException {
        checkAgainst(references, file);
    }

    /**
     * For every prompt of {@code refs}: the tokenizer's ids equal the reference prompt ids; the engine
     * gives the reference's greedy tokens and text.
     */
    static void checkAgainst(GreedyReferences refs, String file) throws IOException {
        try (LoadedModel model = ModelLoader.load(TestModels.path(file), platform)) {
            for (JsonNode prompt : refs.prompts()) {
                String name = file + " / " + prompt.get("name").asText();
                int[] ids = model.tokenizer().encode(prompt.get("text").asText(), true);
                assertArrayEquals(GreedyReferences.ints(prompt.get("prompt_token_ids")), ids,
                        name + ": prompt token ids");
                assertEngineMatches(name, model, LoraAdapters.NONE, null, ids, prompt.get("greedy").get(file));
            }
        }
    }

    /** One greedy request on the engine gives the reference entry's tokens and text. */
    static void assertEngineMatches(String name, LoadedModel model, LoraAdapters adapters, String lora, int[] prompt,
                                    JsonNode ref) {
        int[] want = GreedyReferences.ints(ref.get("token_ids"));
        RequestResult viaEngine = runOnEngine(model, adapters, lora, prompt, want.length);
        assertArrayEquals(want, viaEngine.tokenIds(), name + ": engine vs reference greedy tokens");
        assertEquals(ref.get("text").asText(), viaEngine.text(), name + ": completion text");
    }

    /** One greedy request alone on the engine, with the adapter named {@code lora} (null: none). */
    static RequestResult runOnEngine(LoadedModel model, LoraAdapters adapters, String lora, int[] prompt, int n) {
        int blocks = (model.config().contextLength() + 15) / 16;
        LlmEngine engine = new LlmEngine(model, EngineFactory.attention(model.config(), platform),
                new EngineConfig(1, 512, 16, blocks, false), adapters, BlockTier.NONE, System::nanoTime);
        engine.addRequest(new Request("reference", prompt, SamplingParams.greedy(n).withIgnoreEos(true), lora));
        return engine.runUntilDone().get(0);
    }
}
