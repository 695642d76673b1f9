package dev.prefixflow.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prefixflow.conformance.GreedyReferences;
import dev.prefixflow.model.LoadedModel;
import dev.prefixflow.model.ModelLoader;
import dev.prefixflow.sampling.SamplingParams;
import dev.prefixflow.testing.TestModels;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Sliding-window models through the whole engine: llama.cpp's greedy tokens for prompts longer than
 * the window, whatever the chunking, with prefix caching on or off (the second round of the same
 * prompts is served from the cache), and in a pool so small that sequences are preempted. Their
 * global layers read every position, so the engine releases no block before a sequence ends.
 */
class SlidingWindowEngineTest {

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (String arch : List.of("gemma2", "gemma3")) {
            // Whole prompts, chunks of 16 and 7 tokens (across window and block edges), caching on and off.
            cases.add(Arguments.of(arch, new EngineConfig(4, 512, 16, 64, false)));
            cases.add(Arguments.of(arch, new EngineConfig(4, 16, 16, 64, true)));
            cases.add(Arguments.of(arch, new EngineConfig(4, 7, 16, 64, true)));
            cases.add(Arguments.of(arch, new EngineConfig(4, 512, 16, 64, true)));
            // Four sequences of up to 8 blocks in 12 blocks: preemption by recompute.
            cases.add(Arguments.of(arch, new EngineConfig(4, 64, 16, 12, true)));
        }
        return cases.stream();
    }

    @ParameterizedTest
    @MethodSource("cases")
    void greedyTokensMatchLlamaCpp(String arch, EngineConfig config) throws IOException {
        String file = arch + "-ref.gguf";
        JsonNode prompts = GreedyReferences.read("arch/" + arch + "-references.json").prompts();
        try (LoadedModel model = ModelLoader.load(TestModels.path("arch/" + file), TestEngines.platform())) {
            LlmEngine engine = EngineFactory.create(model, TestEngines.platform(), EngineSettings.of(file)
                    .withLimits(config.maxNumSeqs(), config.maxNumBatchedTokens(), config.blockSize(),
                            config.numKvBlocks())
                    .withPrefixCaching(config.prefixCaching()));
            int rounds = config.prefixCaching() ? 2 : 1;
            Map<String, RequestResult> results = new HashMap<>();
            for (int round = 0; round < rounds; round++) {
                for (JsonNode p : prompts) {
                    int n = p.get("greedy").get(file).get("token_ids").size();
                    engine.addRequest(new Request(round + "/" + p.get("name").asText(),
                            GreedyReferences.ints(p.get("prompt_token_ids")),
                            SamplingParams.greedy(n).withIgnoreEos(true), null));
                }
                for (RequestResult r : engine.runUntilDone()) {
                    results.put(r.id(), r);
                }
            }
            for (int round = 0; round < rounds; round++) {
                for (JsonNode p : prompts) {
                    RequestResult r = results.get(round + "/" + p.get("name").asText());
                    assertArrayEquals(GreedyReferences.ints(p.get("greedy").get(file).get("token_ids")), r.tokenIds(),
                            file + " " + config + " round " + round + " " + p.get("name").asText());
                    // In the small pool the first round's blocks are evicted; in the large one they stay cached.
                    if (round == 1 && config.numKvBlocks() == 64) {
                        assertTrue(r.usage().cachedTokens() >= 32, "the second round hits the prefix cache: "
                                + r.usage());
                    }
                }
            }
            if (config.numKvBlocks() == 12) {
                assertTrue(engine.metrics().preemptions() > 0, "the small pool preempts");
            }
            assertEquals(0, engine.metrics().windowReleasedBlocks(), "global layers keep every block");
        }
    }
}
