package dev.prefixflow.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prefixflow.gguf.GgmlType;
import dev.prefixflow.lora.LoraAdapters;
import dev.prefixflow.model.ForwardBatch;
import dev.prefixflow.model.LoadedModel;
import dev.prefixflow.model.ModelConfig;
import dev.prefixflow.model.ModelLoader;
import dev.prefixflow.model.SequenceChunk;
import dev.prefixflow.model.synthetic.ModelShape;
import dev.prefixflow.model.synthetic.SyntheticModel;
import dev.prefixflow.platform.AttentionMetadata;
import dev.prefixflow.platform.KvPool;
import dev.prefixflow.platform.KvPoolSpec;
import dev.prefixflow.platform.Platform;
import dev.prefixflow.testing.TestModels;
import dev.prefixflow.testing.WindowedModels;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What every platform must pass, published in this module's test jar: a platform module extends it
 * with one method that returns its {@link Platform}, and runs it unchanged. The model-level checks
 * (the forward pass through the model and a KV pool, greedy decoding, no engine):
 * <ul>
 *   <li>kjv-5m in all six GGUF encodings, qwen2-bpe in two, and kjv-5m with each LoRA adapter give
 *       the independent references' greedy tokens, with top-5 logits within {@link
 *       GreedyReferences#LOGIT_TOLERANCE};
 *   <li>a sequence's logits are bit-identical alone or batched, whole or chunked, wherever its
 *       blocks lie;
 *   <li>on a model whose every layer has a sliding window, blocks behind the window are never read
 *       (null block-table entries, poisoned KV);
 *   <li>host-platform copies per step grow with the number of sequences, not with the layers.
 * </ul>
 */
public abstract class PlatformConformance {
    static final int BLOCK = 16;

    /** The platform under test. */
    protected abstract Platform platform();

    @ParameterizedTest
    @ValueSource(strings = {"kjv-5m-f32.gguf", "kjv-5m-f16.gguf", "kjv-5m-q80.gguf", "kjv-5m-q40.gguf",
        "kjv-5m-q4km.gguf", "kjv-5m-q6k.gguf"})
    void kjvGreedyTokensAndLogitsMatchTheReferences(String file) throws IOException {
        checkAgainst(GreedyReferences.read("kjv-references.json"), file);
    }

    /**
     * The qwen2 architecture (q/k/v biases, NEOX RoPE over the whole head, tied output, eps 1e-6,
     * RoPE base 1e6) and GPT-2's byte-level BPE against PyTorch float32 and a NumPy forward.
     */
    @ParameterizedTest
    @ValueSource(strings = {"qwen2-bpe-f16.gguf", "qwen2-bpe-q80.gguf"})
    void qwen2GreedyTokensAndLogitsMatchTheReferences(String file) throws IOException {
        try (LoadedModel model = ModelLoader.load(TestModels.path(file), platform())) {
            ModelConfig c = model.config();
            assertEquals("qwen2", c.architecture());
            assertEquals(50257, c.vocabSize());
            assertEquals(1e-6f, c.rmsEps());
            assertEquals(1e6f, c.ropeBase());
            assertEquals(32, c.headDim());
            assertEquals(32, c.ropeDims());
            assertTrue(c.neoxRope());
        }
        checkAgainst(GreedyReferences.read("qwen2-bpe-references.json"), file);
    }

    /** models/arch/README.md: top-5 logits within this of llama.cpp's float32 references. */
    static final double ARCHITECTURE_TOLERANCE = 5e-4;

    /**
     * Qwen3 (per-head q/k norms, head size 64 != dim / heads), Gemma 2 (post-norms, GeGLU, soft-caps,
     * a 32-token window on alternate layers), Gemma 3 (q/k norms, a 16-token window on five layers of
     * six, a local RoPE base) and Phi-3 (fused qkv and gate-up) against llama.cpp in float32: 32 greedy
     * tokens after prompts of 48 to 96 tokens, longer than every window.
     */
    @ParameterizedTest
    @ValueSource(strings = {"qwen3", "gemma2", "gemma3", "phi3"})
    void architectureGreedyTokensAndLogitsMatchLlamaCpp(String arch) throws IOException {
        String file = arch + "-ref.gguf";
        GreedyReferences refs = GreedyReferences.read("arch/" + arch + "-references.json");
        double maxDiff = 0;
        try (LoadedModel model = ModelLoader.load(TestModels.path("arch/" + file), platform())) {
            assertEquals(arch, model.config().architecture());
            for (JsonNode prompt : refs.prompts()) {
                String name = platform().name() + ": " + file + " / " + prompt.get("name").asText();
                int[] ids = GreedyReferences.ints(prompt.get("prompt_token_ids"));
                int n = prompt.get("greedy").get(file).get("token_ids").size();
                GreedyReferences.Greedy greedy = GreedyReferences.generate(model.model(), platform(), ids, n);
                maxDiff = Math.max(maxDiff, GreedyReferences.assertMatches(name, prompt, file, greedy,
                        ARCHITECTURE_TOLERANCE));
            }
        }
        System.err.printf("%s on %s: largest logit difference from llama.cpp %.2e%n", file, platform().name(),
                maxDiff);
    }

    /** The tokenizer's prompt ids, then greedy decoding through the forward pass, for every prompt. */
    private void checkAgainst(GreedyReferences refs, String file) throws IOException {
        double maxDiff = 0;
        try (LoadedModel model = ModelLoader.load(TestModels.path(file), platform())) {
            for (JsonNode prompt : refs.prompts()) {
                String name = platform().name() + ": " + file + " / " + prompt.get("name").asText();
                int[] ids = model.tokenizer().encode(prompt.get("text").asText(), true);
                assertArrayEquals(GreedyReferences.ints(prompt.get("prompt_token_ids")), ids,
                        name + ": prompt token ids");
                int n = prompt.get("greedy").get(file).get("token_ids").size();
                GreedyReferences.Greedy greedy = GreedyReferences.generate(model.model(), platform(), ids, n);
                maxDiff = Math.max(maxDiff, GreedyReferences.assertMatches(name, prompt, file, greedy,
                        GreedyReferences.LOGIT_TOLERANCE));
            }
        }
        System.err.printf("%s on %s: largest logit difference from the reference %.2e%n", file, platform().name(),
                maxDiff);
    }

    static Stream<Arguments> loraCases() {
        return Stream.of("kjv-5m-f32.gguf", "kjv-5m-q80.gguf").flatMap(base -> Stream.of("none",
                "kjv-5m-lora-psalms.gguf", "kjv-5m-lora-gospels.gguf").map(adapter -> Arguments.of(base, adapter)));
    }

    /**
     * kjv-5m with each LoRA adapter and without against kjv-lora-references.json (PyTorch float32,
     * the delta applied unmerged). The run without adapter is checked too: its logits differ from
     * kjv-references.json's in the last digit.
     */
    @ParameterizedTest
    @MethodSource("loraCases")
    void loraGreedyTokensAndLogitsMatchTheReferences(String base, String adapter) throws IOException {
        JsonNode prompts = GreedyReferences.read("kjv-lora-references.json").prompts();
        try (LoadedModel model = ModelLoader.load(TestModels.path(base), platform())) {
            String lora = adapter.equals("none") ? null : adapter;
            LoraAdapters adapters = LoraAdapters.load(lora == null ? Map.of() : Map.of(lora, TestModels.path(lora)),
                    model, platform());
            for (JsonNode prompt : prompts) {
                String name = platform().name() + ": " + base + " + " + adapter + " / " + prompt.get("name").asText();
                int[] ids = GreedyReferences.ints(prompt.get("prompt_token_ids"));
                JsonNode ref = prompt.get("greedy").get(base).get(adapter);
                GreedyReferences.Greedy greedy = GreedyReferences.generate(model.model(), platform(), ids,
                        ref.get("token_ids").size(), lora == null ? null : adapters.get(lora));
                GreedyReferences.assertMatches(name, ref, greedy, GreedyReferences.LOGIT_TOLERANCE);
            }
        }
    }

    /**
     * The batched forward contract: a sequence's logits are bit-identical whether it runs alone or
     * batched with others, whether its prompt is prefilled at once or in chunks of 7, and wherever
     * its blocks lie in the pool.
     */
    @ParameterizedTest
    @ValueSource(strings = {"kjv-5m-f32.gguf", "kjv-5m-q80.gguf", "kjv-5m-q4km.gguf", "arch/gemma2-ref.gguf",
        "arch/gemma3-ref.gguf"})
    void logitsDoNotDependOnBatchingChunkingOrBlockPlacement(String file) throws IOException {
        try (LoadedModel model = ModelLoader.load(TestModels.path(file), platform())) {
            Random random = new Random(5);
            int[][] prompts = new int[4][];
            for (int i = 0; i < prompts.length; i++) {
                prompts[i] = random.ints(5 + 23 * i, 3, model.config().vocabSize()).toArray();
            }
            // Alone, whole prompt at once, blocks 0..n in order.
            float[][] alone = new float[prompts.length][];
            for (int i = 0; i < prompts.length; i++) {
                alone[i] = model.model().forward(new ForwardBatch(List.of(chunk(prompts[i], 0, prompts[i].length,
                        identity(8), true))), pool(model, 64))[0];
            }
            // All together, each prompt in chunks of 7 tokens, blocks scattered over one shared pool.
            KvPool shared = pool(model, 64);
            int[][] tables = new int[prompts.length][8];
            for (int i = 0; i < prompts.length; i++) {
                for (int b = 0; b < 8; b++) {
                    tables[i][b] = 63 - (b * prompts.length + i);
                }
            }
            float[][] batched = new float[prompts.length][];
            int[] done = new int[prompts.length];
            boolean progress = true;
            while (progress) {
                progress = false;
                List<SequenceChunk> step = new ArrayList<>();
                List<Integer> who = new ArrayList<>();
                for (int i = 0; i < prompts.length; i++) {
                    if (done[i] < prompts[i].length) {
                        int end = Math.min(prompts[i].length, done[i] + 7);
                        step.add(chunk(prompts[i], done[i], end, tables[i], end == prompts[i].length));
                        who.add(i);
                        done[i] = end;
                        progress = true;
                    }
                }
                if (!step.isEmpty()) {
                    float[][] out = model.model().forward(new ForwardBatch(step), shared);
                    for (int j = 0; j < out.length; j++) {
                        if (out[j] != null) {
                            batched[who.get(j)] = out[j];
                        }
                    }
                }
            }
            for (int i = 0; i < prompts.length; i++) {
                assertArrayEquals(alone[i], batched[i], platform().name() + ": " + file + ": prompt " + i);
            }
        }
    }

    /**
     * The engine releases the blocks behind every layer's window and passes {@link
     * AttentionMetadata#NULL_BLOCK} in their place: phi3-ref with window 20 on every layer, a prompt
     * of 96 tokens in chunks of 8, gives bit-identical logits at every chunk whether the blocks
     * behind the chunk's first query's window are kept, or nulled in the table and their KV set to
     * NaN. A step whose query would see a null entry is refused before it reaches the platform.
     */
    @Test
    void blocksBehindEveryWindowAreNeverRead(@TempDir Path dir) throws IOException {
        try (LoadedModel model = ModelLoader.load(WindowedModels.phi3(20, dir), platform())) {
            int[] prompt = new Random(3).ints(96, 3, model.config().vocabSize()).toArray();
            List<float[]> kept = chunkedLogits(model, prompt, false);
            List<float[]> released = chunkedLogits(model, prompt, true);
            for (int i = 0; i < kept.size(); i++) {
                assertArrayEquals(kept.get(i), released.get(i), platform().name() + ": chunk " + i);
            }
            int[] table = identity(6);
            table[3] = AttentionMetadata.NULL_BLOCK;
            assertThrows(IllegalArgumentException.class, () -> model.model().forward(
                    new ForwardBatch(List.of(chunk(prompt, 64, 72, table, true))), pool(model, 8)));
        }
    }

    /** Logits of the last token of each 8-token chunk; with {@code release}, as the engine releases. */
    private List<float[]> chunkedLogits(LoadedModel model, int[] prompt, boolean release) {
        int window = model.model().attentionWindow();
        KvPool pool = pool(model, 8);
        float[] poison = new float[pool.spec().floatsPerBlock()];
        Arrays.fill(poison, Float.NaN);
        int[] table = identity((prompt.length + BLOCK - 1) / BLOCK);
        List<float[]> logits = new ArrayList<>();
        for (int from = 0; from < prompt.length; from += 8) {
            for (int b = 0; release && b < Math.max(0, from - window + 1) / BLOCK; b++) {
                if (table[b] != AttentionMetadata.NULL_BLOCK) {
                    pool.writeBlock(table[b], poison);
                    table[b] = AttentionMetadata.NULL_BLOCK;
                }
            }
            logits.add(model.model().forward(new ForwardBatch(List.of(chunk(prompt, from, from + 8, table.clone(),
                    true))), pool)[0]);
        }
        assertTrue(!release || table[3] == AttentionMetadata.NULL_BLOCK, "blocks were released");
        return logits;
    }

    /**
     * A decode step's host-platform copies: for 1 and for 8 sequences, on synthetic models of 1 and
     * of 4 layers. The counts and bytes do not change with the layers (no activation crosses per
     * layer or per op), and the count is at most 4 + 2 per sequence (token ids, positions, attention
     * metadata and logit rows in; each sequence's logits out).
     */
    @Test
    void hostCopiesPerDecodeStepGrowWithSequencesNotLayers(@TempDir Path dir) throws IOException {
        long[][] copies = new long[2][];
        long[][] bytes = new long[2][];
        int[] layers = {1, 4};
        int[] sequences = {1, 8};
        for (int m = 0; m < layers.length; m++) {
            Path file = dir.resolve("tiny-" + layers[m] + ".gguf");
            SyntheticModel.write(ModelShape.parse("tiny,layers=" + layers[m]), GgmlType.Q8_0, 7, file);
            CountingPlatform counted = new CountingPlatform(platform());
            copies[m] = new long[sequences.length];
            bytes[m] = new long[sequences.length];
            try (LoadedModel model = ModelLoader.load(file, counted)) {
                for (int s = 0; s < sequences.length; s++) {
                    KvPool pool = model.config().attentionBackend(counted).allocate(new KvPoolSpec(layers[m],
                            model.config().kvHeads(), model.config().headDim(), sequences[s], BLOCK));
                    List<SequenceChunk> prefill = new ArrayList<>();
                    List<SequenceChunk> decode = new ArrayList<>();
                    for (int i = 0; i < sequences[s]; i++) {
                        int[] table = {i};
                        int[] prompt = {1, 100 + i, 200 + i, 3 + i};
                        prefill.add(new SequenceChunk(prompt, 0, table, new int[] {i * BLOCK, i * BLOCK + 1,
                                i * BLOCK + 2, i * BLOCK + 3}, true));
                        decode.add(new SequenceChunk(new int[] {42 + i}, prompt.length, table,
                                new int[] {i * BLOCK + prompt.length}, true));
                    }
                    model.model().forward(new ForwardBatch(prefill), pool);
                    counted.reset();
                    model.model().forward(new ForwardBatch(decode), pool);
                    copies[m][s] = counted.copies();
                    bytes[m][s] = counted.bytes();
                    assertTrue(copies[m][s] <= 4 + 2L * sequences[s], platform().name() + ": " + copies[m][s]
                            + " copies for a decode step of " + sequences[s] + " sequences, " + layers[m] + " layers");
                }
            }
        }
        assertArrayEquals(copies[0], copies[1], platform().name() + ": copies per step, 1 vs 4 layers");
        assertArrayEquals(bytes[0], bytes[1], platform().name() + ": bytes copied per step, 1 vs 4 layers");
        System.err.printf("%s: host copies per decode step %s (bytes %s) for %s sequences%n", platform().name(),
                Arrays.toString(copies[0]), Arrays.toString(bytes[0]), Arrays.toString(sequences));
    }

    private KvPool pool(LoadedModel model, int blocks) {
        ModelConfig c = model.config();
        return c.attentionBackend(platform()).allocate(new KvPoolSpec(c.layers(), c.kvHeads(), c.headDim(), blocks,
                BLOCK));
    }

    private static int[] identity(int n) {
        int[] t = new int[n];
        Arrays.setAll(t, i -> i);
        return t;
    }

    private static SequenceChunk chunk(int[] prompt, int from, int to, int[] table, boolean wantsLogits) {
        int[] slots = new int[to - from];
        for (int p = from; p < to; p++) {
            slots[p - from] = table[p / BLOCK] * BLOCK + p % BLOCK;
        }
        return new SequenceChunk(Arrays.copyOfRange(prompt, from, to), from, table, slots, wantsLogits);
    }
}
