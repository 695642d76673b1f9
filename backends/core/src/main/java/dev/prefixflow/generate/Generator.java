package dev.prefixflow.generate;

import dev.prefixflow.model.ForwardBatch;
import dev.prefixflow.model.LoadedModel;
import dev.prefixflow.model.SequenceChunk;
import dev.prefixflow.platform.AttentionBackend;
import dev.prefixflow.platform.KvPool;
import dev.prefixflow.platform.KvPoolSpec;
import dev.prefixflow.sampling.Sampler;
import dev.prefixflow.sampling.SamplingParams;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Runs one sequence alone: the prompt's prefill in chunks, then one decode step per token. It owns a
 * KV pool with room for the whole context, its blocks in order, so the block table is the identity.
 */
public final class Generator {
    private final LoadedModel model;
    private final KvPool pool;
    private final int blockSize;
    private final int prefillChunk;

    public Generator(LoadedModel model, AttentionBackend attention, int blockSize, int prefillChunk) {
        this.model = model;
        this.blockSize = blockSize;
        this.prefillChunk = prefillChunk;
        var c = model.config();
        int blocks = (c.contextLength() + blockSize - 1) / blockSize;
        this.pool = attention.allocate(new KvPoolSpec(c.layers(), c.kvHeads(), c.headDim(), blocks, blockSize));
    }

    /** Generates a completion of {@code prompt}; {@code onText} receives the text as it grows. */
    public Completion generate(int[] prompt, SamplingParams params, Consumer<String> onText) {
        int context = model.config().contextLength();
        if (prompt.length == 0) {
            throw new IllegalArgumentException("the prompt is empty");
        }
        if (prompt.length >= context) {
            throw new IllegalArgumentException("the prompt has " + prompt.length
                    + " tokens; the model's context length is " + context);
        }
        int[] blockTable = new int[pool.spec().numBlocks()];
        Arrays.setAll(blockTable, i -> i);
        CompletionText text = new CompletionText(model.tokenizer(), params, prompt, context);
        int[] generated = new int[Math.min(params.maxTokens(), context - prompt.length)];
        float[] logprobs = params.logprobs() ? new float[generated.length] : null;
        int count = 0;
        float[] logits = null;
        for (int start = 0; start < prompt.length; start += prefillChunk) {
            int end = Math.min(prompt.length, start + prefillChunk);
            logits = run(Arrays.copyOfRange(prompt, start, end), start, blockTable, end == prompt.length);
        }
        while (!text.finished()) {
            int position = prompt.length + count;
            Sampler.Choice choice = Sampler.sample(logits, params, position);
            generated[count] = choice.token();
            if (logprobs != null) {
                logprobs[count] = choice.logprob();
            }
            count++;
            onText.accept(text.append(choice.token()));
            if (!text.finished()) {
                logits = run(new int[] {choice.token()}, position, blockTable, true);
            }
        }
        return new Completion(prompt, Arrays.copyOf(generated, count), text.text(), text.finishReason(),
                logprobs == null ? null : Arrays.copyOf(logprobs, count));
    }

    private float[] run(int[] tokens, int firstPosition, int[] blockTable, boolean wantsLogits) {
        int[] slots = new int[tokens.length];
        for (int i = 0; i < tokens.length; i++) {
            int pos = firstPosition + i;
            slots[i] = blockTable[pos / blockSize] * blockSize + pos % blockSize;
        }
        SequenceChunk chunk = new SequenceChunk(tokens, firstPosition, blockTable, slots, wantsLogits);
        return model.model().forward(new ForwardBatch(List.of(chunk)), pool)[0];
    }
}
