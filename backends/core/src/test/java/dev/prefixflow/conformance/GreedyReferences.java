package dev.prefixflow.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.prefixflow.lora.LoraAdapter;
import dev.prefixflow.model.ForwardBatch;
import dev.prefixflow.model.Model;
import dev.prefixflow.model.ModelConfig;
import dev.prefixflow.model.SequenceChunk;
import dev.prefixflow.platform.KvPool;
import dev.prefixflow.platform.KvPoolSpec;
import dev.prefixflow.platform.Platform;
import dev.prefixflow.sampling.Sampler;
import dev.prefixflow.testing.TestModels;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A references file in the layout of {@code models/README}'s kjv-references.json (per prompt, per
 * GGUF file: greedy {@code token_ids} and each position's {@code top5_logits}) and the check of a
 * model's own greedy decoding against it.
 */
public final class GreedyReferences {
    /**
     * Logits may differ from the reference by float32 rounding in another summation order. Measured
     * differences are at most 1.1e-5 on all six kjv files; the bound is ten times that, and still
     * three times below the smallest top-1/top-2 margin in the references (3e-4).
     */
    public static final double LOGIT_TOLERANCE = 1e-4;

    private final JsonNode root;

    private GreedyReferences(JsonNode root) {
        this.root = root;
    }

    public static GreedyReferences read(String jsonFile) throws IOException {
        return new GreedyReferences(new ObjectMapper().readTree(TestModels.path(jsonFile).toFile()));
    }

    public JsonNode prompts() {
        return root.get("prompts");
    }

    /** A model's greedy tokens and the logits each was chosen from. */
    public record Greedy(int[] tokens, List<float[]> logits) {
    }

    /**
     * Greedy decoding one token per forward after the whole prompt, with a fresh KV pool: the
     * forward the engine runs, without the engine (so without a tokenizer).
     */
    public static Greedy generate(Model model, Platform platform, int[] prompt, int n) {
        return generate(model, platform, prompt, n, null);
    }

    /** The same with a LoRA adapter on every step (null: none). */
    public static Greedy generate(Model model, Platform platform, int[] prompt, int n, LoraAdapter adapter) {
        ModelConfig c = model.config();
        KvPool pool = c.attentionBackend(platform).allocate(
                new KvPoolSpec(c.layers(), c.kvHeads(), c.headDim(), (c.contextLength() + 15) / 16, 16));
        int[] table = new int[pool.spec().numBlocks()];
        Arrays.setAll(table, i -> i);
        List<float[]> logits = new ArrayList<>();
        int[] generated = new int[n];
        int[] tokens = prompt;
        int position = 0;
        for (int i = 0; i < n; i++) {
            int[] slots = new int[tokens.length];
            for (int j = 0; j < slots.length; j++) {
                slots[j] = position + j;
            }
            float[] l = model.forward(new ForwardBatch(List.of(
                    new SequenceChunk(tokens, position, table, slots, true, adapter))), pool)[0];
            logits.add(l);
            position += tokens.length;
            generated[i] = Sampler.argmax(l);
            tokens = new int[] {generated[i]};
        }
        return new Greedy(generated, logits);
    }

    /**
     * Asserts the reference's greedy tokens for {@code file} and, at every position, its five best
     * tokens' logits within {@code tolerance}. Returns the largest logit difference seen.
     */
    public static double assertMatches(String name, JsonNode prompt, String file, Greedy got, double tolerance) {
        return assertMatches(name, prompt.get("greedy").get(file), got, tolerance);
    }

    /** The same against one reference entry ({@code token_ids}, {@code top5_logits}). */
    public static double assertMatches(String name, JsonNode ref, Greedy got, double tolerance) {
        assertArrayEquals(ints(ref.get("token_ids")), got.tokens(), name + ": greedy tokens");
        double maxDiff = 0;
        for (int pos = 0; pos < got.tokens().length; pos++) {
            for (JsonNode pair : ref.get("top5_logits").get(pos)) {
                int token = pair.get(0).asInt();
                double want = pair.get(1).asDouble();
                double diff = Math.abs(got.logits().get(pos)[token] - want);
                maxDiff = Math.max(maxDiff, diff);
                assertTrue(diff <= tolerance, name + ": position " + pos + " token " + token + " logit "
                        + got.logits().get(pos)[token] + " vs reference " + want);
            }
        }
        return maxDiff;
    }

    public static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }
}
