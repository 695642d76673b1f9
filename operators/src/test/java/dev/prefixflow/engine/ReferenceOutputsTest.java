package dev.prefixflow.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.prefixflow.lora.LoraAdapter;
import dev.prefixflow.lora.LoraAdapters;
import dev.prefixflow.model.ForwardBatch;
import dev.prefixflow.model.LoadedModel;
import dev.prefixflow.model.ModelLoader;
import dev.prefixflow.model.SequenceChunk;
import dev.prefixflow.platform.KvPool;
import dev.prefixflow.platform.KvPoolSpec;
import dev.prefixflow.platform.Platform;
import dev.prefixflow.platform.Platforms;
import dev.prefixflow.sampling.SamplingParams;
import dev.prefixflow.testing.TestModels;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

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

    static final String[] FILES = {"kjv-5m-f32.gguf", "kjv-5m-f16.gguf", "kjv-5m-q80.gguf", "kjv-5m-q40.gguf",
        "kjv-5m-q4km.gguf", "kjv-5m-q6k.gguf"};

    static JsonNode references;
    /** Also used by {@link LoraReferenceOutputsTest}'s calls of {@link #checkGreedy}. */
    static final Platform platform = Platforms.select(null);

    @BeforeAll
    static void readReferences() throws IOException {
        references = new ObjectMapper().readTree(TestModels.path("kjv-references.json").toFile());
    }

    static Stream<Arguments> files() {
        return Stream.of(FILES).map(Arguments::of);
    }

    @ParameterizedTest
    @MethodSource("files")
    void greedyTokensTextAndLogitsMatchTheReferences(String file) throws IOException {
        double maxDiff = 0;
        try (LoadedModel model = ModelLoader.load(TestModels.path(file), platform)) {
            for (JsonNode prompt : references.get("prompts")) {
                String name = file + " / " + prompt.get("name").asText();
                int[] expectedPrompt = ints(prompt.get("prompt_token_ids"));
                int[] ids = model.tokenizer().encode(prompt.get("text").asText(), true);
                assertArrayEquals(expectedPrompt, ids, name + ": prompt token ids");

                JsonNode ref = prompt.get("greedy").get(file);
                maxDiff = Math.max(maxDiff, checkGreedy(model, LoraAdapters.NONE, null, ids, ref, name));
            }
        }
        System.err.printf("%s: largest logit difference from the reference %.2e%n", file, maxDiff);
    }

    /**
     * Generates greedily from {@code ids} with the adapter named {@code lora} (null: none) and checks
     * the tokens, text and top-5 logits against a reference entry; returns the largest logit difference.
     */
    static double checkGreedy(LoadedModel model, LoraAdapters adapters, String lora, int[] ids, JsonNode ref,
                              String name) {
        int[] expected = ints(ref.get("token_ids"));
        List<float[]> logits = new ArrayList<>();
        RequestResult c = generateKeepingLogits(model, adapters, lora, ids, expected.length, logits);
        assertArrayEquals(expected, c.tokenIds(), name + ": greedy tokens");
        assertEquals(ref.get("text").asText(), c.text(), name + ": completion text");
        double maxDiff = 0;
        for (int pos = 0; pos < expected.length; pos++) {
            for (JsonNode pair : ref.get("top5_logits").get(pos)) {
                int token = pair.get(0).asInt();
                double want = pair.get(1).asDouble();
                double got = logits.get(pos)[token];
                maxDiff = Math.max(maxDiff, Math.abs(got - want));
                assertTrue(Math.abs(got - want) <= LOGIT_TOLERANCE, name + ": position " + pos + " token "
                        + token + " logit " + got + " vs reference " + want);
            }
        }
        return maxDiff;
    }

    /** Greedy generation that also records each step's logits, through the same forward the engine uses. */
    private static RequestResult generateKeepingLogits(LoadedModel model, LoraAdapters adapters, String lora,
                                                       int[] prompt, int n, List<float[]> logits) {
        var c = model.config();
        KvPool pool = platform.attentionBackends().get(0).allocate(
                new KvPoolSpec(c.layers(), c.kvHeads(), c.headDim(), (c.contextLength() + 15) / 16, 16));
        int[] table = new int[pool.spec().numBlocks()];
        java.util.Arrays.setAll(table, i -> i);
        LoraAdapter adapter = lora == null ? null : adapters.get(lora);
        int[] tokens = prompt;
        int position = 0;
        int[] generated = new int[n];
        for (int i = 0; i < n; i++) {
            int[] slots = new int[tokens.length];
            for (int j = 0; j < slots.length; j++) {
                slots[j] = position + j;
            }
            float[] l = model.model().forward(new ForwardBatch(List.of(
                    new SequenceChunk(tokens, position, table, slots, true, adapter))), pool)[0];
            logits.add(l);
            position += tokens.length;
            generated[i] = dev.prefixflow.sampling.Sampler.argmax(l);
            tokens = new int[] {generated[i]};
        }
        // The same tokens through the engine, which also produces the text.
        LlmEngine engine = new LlmEngine(model, platform.attentionBackends().get(0),
                new EngineConfig(1, 512, 16, pool.spec().numBlocks(), false), adapters);
        engine.addRequest(new Request("reference", prompt, SamplingParams.greedy(n).withIgnoreEos(true), lora));
        RequestResult viaEngine = engine.runUntilDone().get(0);
        assertArrayEquals(generated, viaEngine.tokenIds(), "engine vs step-by-step forward");
        return viaEngine;
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }
}
