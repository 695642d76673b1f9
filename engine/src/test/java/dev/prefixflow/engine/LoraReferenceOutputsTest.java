package dev.prefixflow.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.prefixflow.conformance.GreedyReferences;
import dev.prefixflow.lora.LoraAdapters;
import dev.prefixflow.model.LoadedModel;
import dev.prefixflow.model.ModelLoader;
import dev.prefixflow.platform.Platform;
import dev.prefixflow.platform.Platforms;
import dev.prefixflow.testing.TestModels;
import java.io.IOException;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * kjv-5m with each LoRA adapter and without on the engine against kjv-lora-references.json (PyTorch
 * float32, the delta applied unmerged): for both base encodings, every prompt's 64 greedy tokens and
 * text. The forward pass's tokens and top-5 logits are checked on every platform by {@link
 * dev.prefixflow.conformance.PlatformConformance}.
 */
class LoraReferenceOutputsTest {
    static final String[] BASES = {"kjv-5m-f32.gguf", "kjv-5m-q80.gguf"};
    static final String[] ADAPTERS = {"none", "kjv-5m-lora-psalms.gguf", "kjv-5m-lora-gospels.gguf"};

    static JsonNode references;
    static final Platform platform = Platforms.select(null);

    @BeforeAll
    static void readReferences() throws IOException {
        references = new ObjectMapper().readTree(TestModels.path("kjv-lora-references.json").toFile());
    }

    static Stream<Arguments> cases() {
        return Stream.of(BASES).flatMap(base -> Stream.of(ADAPTERS).map(adapter -> Arguments.of(base, adapter)));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void greedyTokensAndTextMatchTheReferences(String base, String adapter) throws IOException {
        try (LoadedModel model = ModelLoader.load(TestModels.path(base), platform)) {
            String lora = adapter.equals("none") ? null : adapter;
            LoraAdapters adapters = LoraAdapters.load(lora == null ? Map.of() : Map.of(lora, TestModels.path(lora)),
                    model, platform);
            for (JsonNode prompt : references.get("prompts")) {
                String name = base + " + " + adapter + " / " + prompt.get("name").asText();
                int[] ids = GreedyReferences.ints(prompt.get("prompt_token_ids"));
                JsonNode ref = prompt.get("greedy").get(base).get(adapter);
                ReferenceOutputsTest.assertEngineMatches(name, model, adapters, lora, ids, ref);
            }
        }
    }
}
