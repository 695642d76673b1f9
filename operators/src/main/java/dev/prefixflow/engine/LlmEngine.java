package dev.prefixflow.engine;

import dev.prefixflow.engine.block.BlockManager;
import dev.prefixflow.generate.CompletionText;
import dev.prefixflow.lora.LoraAdapter;
import dev.prefixflow.lora.LoraAdapters;
import dev.prefixflow.model.LoadedModel;
import dev.prefixflow.model.ModelConfig;
import dev.prefixflow.platform.AttentionBackend;
import dev.prefixflow.platform.KvPoolSpec;
import dev.prefixflow.sampling.Sampler;
import dev.prefixflow.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * vLLM's engine loop, in-process: {@link #addRequest} queues requests, each {@link #step} schedules
 * (see {@link Scheduler}), runs one batched forward over all scheduled chunks, samples a token for
 * each sequence whose prompt is fully computed, applies the stop rules, caches and frees blocks,
 * and returns the requests that finished. A request that can never run finishes at the next step
 * with an error result.
 *
 * <p>A request's tokens do not depend on what else runs, on chunking, on prefix-cache hits nor on
 * preemption: the forward pass is batch-invariant and sampling draws from the seed and the absolute
 * position only.
 *
 * <p>Not thread-safe: one thread drives it.
 */
public final class LlmEngine {
    private static final String INVALID_REQUEST = "invalid_request_error";

    private final ModelConfig modelConfig;
    private final Tokenizer tokenizer;
    private final EngineConfig config;
    private final LongSupplier clock;
    private final BlockManager blocks;
    private final Scheduler scheduler;
    private final ModelRunner runner;
    private final RequestLimits limits;
    private final LoraAdapters adapters;
    private final List<RequestResult> finishedEarly = new ArrayList<>();
    private long nextSeqId;
    private long computedTokens;
    private long generatedTokens;
    private long requestsFinished;
    private long steps;
    private long lastStepNanos;
    private long stepNanos;
    private long forwardNanos;
    private long sampleNanos;

    public LlmEngine(LoadedModel model, AttentionBackend attention, EngineConfig config) {
        this(model, attention, config, LoraAdapters.NONE);
    }

    /** @param adapters the LoRA adapters requests may name (loaded for {@code model}) */
    public LlmEngine(LoadedModel model, AttentionBackend attention, EngineConfig config, LoraAdapters adapters) {
        this(model, attention, config, adapters, System::nanoTime);
    }

    /** @param clock nanoseconds, for the timings of results and metrics */
    public LlmEngine(LoadedModel model, AttentionBackend attention, EngineConfig config, LoraAdapters adapters,
                     LongSupplier clock) {
        this.adapters = adapters;
        this.modelConfig = model.config();
        this.tokenizer = model.tokenizer();
        this.config = config;
        this.clock = clock;
        this.blocks = new BlockManager(config.numKvBlocks(), config.blockSize(), config.prefixCaching());
        this.scheduler = new Scheduler(blocks, config.maxNumSeqs(), config.maxNumBatchedTokens());
        ModelConfig c = modelConfig;
        this.runner = new ModelRunner(model.model(), attention.allocate(
                new KvPoolSpec(c.layers(), c.kvHeads(), c.headDim(), config.numKvBlocks(), config.blockSize())));
        this.limits = new RequestLimits(c.vocabSize(), c.contextLength(), config.numKvBlocks(), config.blockSize());
    }

    public void addRequest(Request request) {
        addRequest(request, piece -> { });
    }

    /** Queues a request; {@code onText} receives its completion's text as it grows. */
    public void addRequest(Request request, Consumer<String> onText) {
        long now = clock.getAsLong();
        String problem = limits.problem(request);
        LoraAdapter adapter = request.lora() == null ? null : adapters.get(request.lora());
        if (problem == null && request.lora() != null && adapter == null) {
            problem = "unknown LoRA adapter '" + request.lora() + "'; this engine has " + adapters.names();
        }
        if (problem != null) {
            finishedEarly.add(RequestResult.failed(request.id(), request.promptTokenIds(), problem, INVALID_REQUEST));
            return;
        }
        CompletionText text = new CompletionText(tokenizer, request.params(), request.promptTokenIds(),
                modelConfig.contextLength());
        Sequence s = new Sequence(request, adapter, nextSeqId++, text, onText, now);
        if (text.finished()) {
            // max_tokens 0: nothing to compute.
            s.firstScheduledNanos = now;
            finishedEarly.add(result(s, now));
        } else {
            scheduler.add(s);
        }
    }

    public boolean hasUnfinishedRequests() {
        return !finishedEarly.isEmpty() || scheduler.hasWork();
    }

    /** One engine step; returns the requests that finished in it (error results included). */
    public List<RequestResult> step() {
        long start = clock.getAsLong();
        List<RequestResult> finished = new ArrayList<>(finishedEarly);
        finishedEarly.clear();
        List<ScheduledChunk> chunks = scheduler.schedule(start);
        if (chunks.isEmpty() && scheduler.hasWork()) {
            throw new IllegalStateException("the scheduler made no progress with " + scheduler.numRunning()
                    + " running and " + scheduler.numWaiting() + " waiting sequences");
        }
        if (!chunks.isEmpty()) {
            long forwardStart = clock.getAsLong();
            float[][] logits = runner.run(chunks, blocks);
            forwardNanos += clock.getAsLong() - forwardStart;
            for (int i = 0; i < chunks.size(); i++) {
                processChunk(chunks.get(i), logits[i], finished);
            }
        }
        steps++;
        lastStepNanos = clock.getAsLong() - start;
        stepNanos += lastStepNanos;
        requestsFinished += finished.size();
        return finished;
    }

    /** Steps until every queued request has finished; returns their results in finishing order. */
    public List<RequestResult> runUntilDone() {
        List<RequestResult> all = new ArrayList<>();
        while (hasUnfinishedRequests()) {
            all.addAll(step());
        }
        return all;
    }

    private void processChunk(ScheduledChunk chunk, float[] logits, List<RequestResult> finished) {
        Sequence s = chunk.sequence();
        computedTokens += chunk.numTokens();
        blocks.markComputed(s.table(), s.tokensView(), chunk.end());
        if (logits == null) {
            return;
        }
        long sampleStart = clock.getAsLong();
        Sampler.Choice choice = Sampler.sample(logits, s.request.params(), s.length());
        sampleNanos += clock.getAsLong() - sampleStart;
        long now = clock.getAsLong();
        if (s.firstTokenNanos < 0) {
            s.firstTokenNanos = now;
        }
        s.append(choice.token(), choice.logprob());
        generatedTokens++;
        s.onText.accept(s.text.append(choice.token()));
        if (s.text.finished()) {
            scheduler.finish(s);
            finished.add(result(s, now));
        }
    }

    private RequestResult result(Sequence s, long now) {
        Request r = s.request;
        int[] generated = s.generated();
        double msPerNano = 1e-6;
        long firstToken = s.firstTokenNanos < 0 ? now : s.firstTokenNanos;
        return new RequestResult(r.id(), r.promptTokenIds(), generated, s.text.text(), s.text.finishReason(),
                new RequestResult.Usage(s.promptLength, s.firstCachedTokens(), generated.length),
                new RequestResult.Timings((s.firstScheduledNanos - s.arrivalNanos) * msPerNano,
                        (firstToken - s.arrivalNanos) * msPerNano, (now - s.arrivalNanos) * msPerNano),
                null, s.logprobs());
    }

    public EngineMetrics metrics() {
        return new EngineMetrics(scheduler.numRunning(), scheduler.numWaiting(), blocks.usage(),
                scheduler.promptTokens() == 0 ? 0 : (double) scheduler.cachedTokens() / scheduler.promptTokens(),
                scheduler.preemptions(), scheduler.promptTokens(), scheduler.cachedTokens(), computedTokens, generatedTokens, requestsFinished, steps, lastStepNanos,
                stepNanos, forwardNanos, sampleNanos);
    }

    public EngineConfig config() {
        return config;
    }
}
