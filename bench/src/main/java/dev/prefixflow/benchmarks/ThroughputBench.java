package dev.prefixflow.benchmarks;

import dev.prefixflow.model.ForwardBatch;
import dev.prefixflow.model.Model;
import dev.prefixflow.model.ModelConfig;
import dev.prefixflow.model.SequenceChunk;
import dev.prefixflow.platform.AttentionBackend;
import dev.prefixflow.platform.KvPool;
import dev.prefixflow.platform.KvPoolSpec;
import dev.prefixflow.sampling.Sampler;
import java.util.Arrays;
import java.util.List;

/**
 * Times one sequence alone: the whole prompt in one forward call (prefill), then single-token forward
 * calls (decode), each feeding back its greedy token. The KV pool's blocks are used in order, so a
 * position's slot is the position itself.
 */
final class ThroughputBench {
    private static final int BLOCK_SIZE = 16;

    /** Measured tokens and wall-clock seconds of each phase. */
    record Timing(int prefillTokens, double prefillSeconds, int decodeTokens, double decodeSeconds) {
        double prefillTokensPerSecond() {
            return prefillTokens / prefillSeconds;
        }

        double decodeTokensPerSecond() {
            return decodeTokens / decodeSeconds;
        }
    }

    private final Model model;
    private final KvPool pool;
    private final int[] blockTable;

    ThroughputBench(Model model, AttentionBackend attention, int maxTokens) {
        ModelConfig c = model.config();
        if (maxTokens > c.contextLength()) {
            throw new IllegalArgumentException(maxTokens + " tokens exceed the model's context length "
                    + c.contextLength());
        }
        this.model = model;
        int blocks = (maxTokens + BLOCK_SIZE - 1) / BLOCK_SIZE;
        this.pool = attention.allocate(new KvPoolSpec(c.layers(), c.kvHeads(), c.headDim(), blocks, BLOCK_SIZE));
        this.blockTable = new int[blocks];
        Arrays.setAll(blockTable, i -> i);
    }

    /**
     * A warm-up (prefill of the whole prompt and {@code warmupDecode} steps, so the JIT has compiled
     * both paths at the timed sizes, as llama-bench warms up with its whole prompt), then the timed
     * prefill and decode.
     */
    Timing measure(int[] prompt, int decodeTokens, int warmupDecode) {
        phases(prompt, warmupDecode);
        return phases(prompt, decodeTokens);
    }

    private Timing phases(int[] prompt, int decodeTokens) {
        long start = System.nanoTime();
        float[] logits = forward(prompt, 0);
        long prefilled = System.nanoTime();
        for (int i = 0; i < decodeTokens; i++) {
            logits = forward(new int[] {Sampler.argmax(logits)}, prompt.length + i);
        }
        long end = System.nanoTime();
        return new Timing(prompt.length, (prefilled - start) / 1e9, decodeTokens, (end - prefilled) / 1e9);
    }

    private float[] forward(int[] tokens, int firstPosition) {
        int[] slots = new int[tokens.length];
        Arrays.setAll(slots, i -> firstPosition + i);
        SequenceChunk chunk = new SequenceChunk(tokens, firstPosition, blockTable, slots, true);
        return model.forward(new ForwardBatch(List.of(chunk)), pool)[0];
    }
}
