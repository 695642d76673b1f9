package dev.prefixflow.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.prefixflow.model.ForwardBatch;
import dev.prefixflow.model.LoadedModel;
import dev.prefixflow.model.ModelLoader;
import dev.prefixflow.model.SequenceChunk;
import dev.prefixflow.platform.KvPool;
import dev.prefixflow.platform.KvPoolSpec;
import dev.prefixflow.platform.Platform;
import dev.prefixflow.platform.Platforms;
import dev.prefixflow.testing.TestModels;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The batched forward contract: a sequence's logits are bit-identical whether it runs alone or
 * batched with others, whether its prompt is prefilled at once or in chunks, and wherever its blocks
 * lie in the pool.
 */
class BatchInvarianceTest {
    static final int BLOCK = 16;

    @ParameterizedTest
    @ValueSource(strings = {"kjv-5m-f32.gguf", "kjv-5m-q80.gguf", "kjv-5m-q4km.gguf"})
    void logitsDoNotDependOnBatchingChunkingOrBlockPlacement(String file) throws Exception {
        Platform platform = Platforms.select(null);
        try (LoadedModel model = ModelLoader.load(TestModels.path(file), platform)) {
            Random random = new Random(5);
            int[][] prompts = new int[4][];
            for (int i = 0; i < prompts.length; i++) {
                prompts[i] = random.ints(5 + 23 * i, 3, model.config().vocabSize()).toArray();
            }
            // Alone, whole prompt at once, blocks 0..n in order.
            float[][] alone = new float[prompts.length][];
            for (int i = 0; i < prompts.length; i++) {
                KvPool pool = pool(platform, model, 64);
                alone[i] = model.model().forward(new ForwardBatch(List.of(chunk(prompts[i], 0, prompts[i].length,
                        identity(8), true))), pool)[0];
            }
            // All together, each prompt in chunks of 7 tokens, blocks scattered over one shared pool.
            KvPool shared = pool(platform, model, 64);
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
                assertArrayEquals(alone[i], batched[i], file + ": prompt " + i);
            }
        }
    }

    static KvPool pool(Platform platform, LoadedModel model, int blocks) {
        var c = model.config();
        return c.attentionBackend(platform).allocate(
                new KvPoolSpec(c.layers(), c.kvHeads(), c.headDim(), blocks, BLOCK));
    }

    static int[] identity(int n) {
        int[] t = new int[n];
        java.util.Arrays.setAll(t, i -> i);
        return t;
    }

    static SequenceChunk chunk(int[] prompt, int from, int to, int[] table, boolean wantsLogits) {
        int[] slots = new int[to - from];
        for (int p = from; p < to; p++) {
            slots[p - from] = table[p / BLOCK] * BLOCK + p % BLOCK;
        }
        return new SequenceChunk(java.util.Arrays.copyOfRange(prompt, from, to), from, table, slots, wantsLogits);
    }
}
