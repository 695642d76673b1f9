package dev.prefixflow.engine;

import dev.prefixflow.engine.block.BlockManager;
import dev.prefixflow.engine.block.EvictionListener;
import dev.prefixflow.engine.structured.StructuredOutputGrammar;
import dev.prefixflow.engine.structured.StructuredOutputManager;
import dev.prefixflow.engine.structured.StructuredOutputStats;
import dev.prefixflow.engine.tier.BlockTier;
import dev.prefixflow.generate.CompletionText;
import dev.prefixflow.lora.LoraAdapter;
import dev.prefixflow.lora.LoraAdapters;
import dev.prefixflow.model.LoadedModel;
import dev.prefixflow.model.ModelConfig;
import dev.prefixflow.platform.AttentionBackend;
import dev.prefixflow.platform.KvPool;
import dev.prefixflow.platform.KvPoolSpec;
import dev.prefixflow.sampling.Sampler;
import dev.prefixflow.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
 * <p>With a {@link BlockTier}, evicted cached blocks are kept there and swapped back in instead of
 * recomputed (bit for bit the same KV, so the same tokens). The tier is read only in {@link
 * #addRequest} and written only during {@link #step}. It also backs {@link PreemptionMode#SWAP}.
 *
 * <p>A request with an output constraint is scheduled like any other while its constraint compiles
 * on a compile thread (a schema takes milliseconds to seconds; {@link StructuredOutputManager}): its
 * prompt is computed, all but the last token, whose logits are the first that need the constraint.
 * That token waits for the compile, so the tokens drawn do not depend on when a compile ends. A
 * constraint that cannot be compiled gives its request an error result and frees its blocks.
 *
 * <p>Not thread-safe: one thread drives it.
 */
public final class LlmEngine {
    private static final String INVALID_REQUEST = "invalid_request_error";
    /** How long a step that could run nothing waits for a constraint to compile before returning. */
    private static final long COMPILE_WAIT_MILLIS = 20;

    private final ModelConfig modelConfig;
    private final Tokenizer tokenizer;
    private final EngineConfig config;
    private final LongSupplier clock;
    private final BlockManager blocks;
    private final BlockSwapper swapper;
    private final Scheduler scheduler;
    private final ModelRunner runner;
    private final RequestLimits limits;
    private final LoraAdapters adapters;
    private final StructuredOutputManager structuredOutputs;
    private final List<RequestResult> finishedEarly = new ArrayList<>();
    /** Requests whose constraint is compiling, in arrival order (scheduled meanwhile, unless max_tokens is 0). */
    private final List<Compiling> compiling = new ArrayList<>();
    private long nextSeqId;
    private long computedTokens;
    private long generatedTokens;
    private long requestsFinished;
    private long steps;
    private long lastStepNanos;
    private long stepNanos;
    private long forwardNanos;
    private long sampleNanos;

    /**
     * Applications get engines from {@link EngineFactory}, which picks the backend and checks the
     * platform's capabilities; this constructor is for tests that need a particular backend or clock.
     *
     * @param adapters the LoRA adapters requests may name (loaded for {@code model})
     * @param tier where evicted cached blocks go and come back from; {@link BlockTier#NONE} for none
     * @param clock nanoseconds, for the timings of results and metrics
     */
    public LlmEngine(LoadedModel model, AttentionBackend attention, EngineConfig config, LoraAdapters adapters,
                     BlockTier tier, LongSupplier clock) {
        this(model, attention, config, adapters, tier, clock, new StructuredOutputManager(model.tokenizer()));
    }

    /** As above, with the given compiler of output constraints (for tests that hold a compile back). */
    public LlmEngine(LoadedModel model, AttentionBackend attention, EngineConfig config, LoraAdapters adapters,
                     BlockTier tier, LongSupplier clock, StructuredOutputManager structuredOutputs) {
        this.adapters = adapters;
        this.modelConfig = model.config();
        this.tokenizer = model.tokenizer();
        this.config = config;
        this.clock = clock;
        KvPool pool = attention.allocate(kvPoolSpec(modelConfig, config));
        this.swapper = new BlockSwapper(pool, tier);
        // Without a tier, evictions need not copy anything out of the pool.
        this.blocks = new BlockManager(config.numKvBlocks(), config.blockSize(), config.prefixCaching(),
                model.model().attentionWindow(), tier == BlockTier.NONE ? EvictionListener.NONE : swapper);
        this.scheduler = new Scheduler(blocks, swapper, config);
        this.runner = new ModelRunner(model.model(), pool);
        this.structuredOutputs = structuredOutputs;
        this.limits = new RequestLimits(modelConfig.vocabSize(), modelConfig.contextLength(),
                model.model().attentionWindow(), config);
    }

    /** The pool shape an engine with this config allocates for this model. */
    public static KvPoolSpec kvPoolSpec(ModelConfig model, EngineConfig config) {
        return new KvPoolSpec(model.layers(), model.kvHeads(), model.headDim(), config.numKvBlocks(),
                config.blockSize());
    }

    public void addRequest(Request request) {
        addRequest(request, piece -> { });
    }

    /** Queues a request; {@code onText} receives its completion's text as it grows. */
    public void addRequest(Request request, Consumer<String> onText) {
        addRequest(request, onText, null);
    }

    /**
     * Queues a request and fetches from the tier the prompt blocks the pool misses. {@code tierKey}
     * is where the request's blocks go in the tier when evicted (its Flink routing key), or null.
     */
    public void addRequest(Request request, Consumer<String> onText, String tierKey) {
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
        Sequence s = new Sequence(request, adapter, nextSeqId++, config.blockSize(), text, onText, now, tierKey);
        if (!text.finished()) {
            // Here, not when its constraint is ready: the tier is read only while a request is added.
            s.useTierBlocks(swapper.prefetch(s, blocks));
        }
        boolean constrained = request.structuredOutputs() != null;
        if (constrained) {
            s.grammarPending = true;
            compiling.add(new Compiling(s, structuredOutputs.grammar(request.structuredOutputs())));
        }
        if (!text.finished()) {
            scheduler.add(s);
        } else if (!constrained) {
            finishEarly(s, now);
        }
    }

    /** Finishes a request that has nothing to compute (max_tokens 0). */
    private void finishEarly(Sequence s, long now) {
        s.firstScheduledNanos = now;
        finishedEarly.add(result(s, now));
    }

    /**
     * Gives the requests whose constraint has compiled their matcher, so that their last prompt token
     * can be scheduled, and fails those whose constraint could not be compiled.
     */
    private void attachCompiled() {
        long now = clock.getAsLong();
        for (Iterator<Compiling> it = compiling.iterator(); it.hasNext(); ) {
            Compiling c = it.next();
            if (!c.grammar().isDone()) {
                continue;
            }
            it.remove();
            Sequence s = c.sequence();
            s.grammarPending = false;
            try {
                s.grammar = c.grammar().join();
            } catch (CompletionException | CancellationException e) {
                if (!s.text.finished()) {
                    scheduler.abort(s);
                }
                finishedEarly.add(RequestResult.failed(s.request.id(), s.request.promptTokenIds(),
                        compileProblem(e), INVALID_REQUEST));
                continue;
            }
            if (s.text.finished()) {
                finishEarly(s, now);
            }
        }
    }

    /** Waits a little for any constraint to compile: called when a step could run nothing without one. */
    private void awaitCompile() {
        CompletableFuture<?>[] futures = compiling.stream().map(Compiling::grammar).toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.anyOf(futures).get(COMPILE_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // A failed compile is reported by the next step; a slow one is looked at again then.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String compileProblem(RuntimeException e) {
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        return cause instanceof IllegalArgumentException ? cause.getMessage()
                : "the output constraint could not be compiled: " + cause;
    }

    public boolean hasUnfinishedRequests() {
        return !finishedEarly.isEmpty() || !compiling.isEmpty() || scheduler.hasWork();
    }

    /** One engine step; returns the requests that finished in it (error results included). */
    public List<RequestResult> step() {
        attachCompiled();
        long start = clock.getAsLong();
        List<RequestResult> finished = new ArrayList<>(finishedEarly);
        finishedEarly.clear();
        List<ScheduledChunk> chunks = scheduler.schedule(start);
        if (chunks.isEmpty() && !compiling.isEmpty()) {
            // Whatever is left waits for a constraint.
            if (finished.isEmpty()) {
                awaitCompile();
            }
        } else if (chunks.isEmpty() && scheduler.hasWork()) {
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
        blocks.markComputed(s.table(), chunk.end());
        if (logits == null) {
            return;
        }
        long sampleStart = clock.getAsLong();
        if (s.grammar != null) {
            s.grammar.applyBitmask(logits);
        }
        Sampler.Choice choice = Sampler.sample(logits, s.request.params(), s.tokensView(), s.promptLength, s.length());
        if (s.grammar != null) {
            s.grammar.acceptToken(choice.token());
        }
        sampleNanos += clock.getAsLong() - sampleStart;
        long now = clock.getAsLong();
        if (s.firstTokenNanos < 0) {
            s.firstTokenNanos = now;
        }
        s.append(choice);
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
                new RequestResult.Usage(s.promptLength, s.firstCachedTokens(), s.firstTierTokens(),
                        generated.length),
                new RequestResult.Timings((s.firstScheduledNanos - s.arrivalNanos) * msPerNano,
                        (firstToken - s.arrivalNanos) * msPerNano, (now - s.arrivalNanos) * msPerNano),
                null, s.logprobs(), s.topLogprobs());
    }

    /**
     * Copies the pool's evictable cached blocks that the tier lacks into it, so that a snapshot of
     * the tier holds the whole prefix cache: the pool itself is not checkpointed. Call between steps.
     */
    public void spillToTier() {
        if (swapper.hasTier()) {
            blocks.forEachEvictable(swapper::spill);
        }
    }

    public EngineMetrics metrics() {
        return new EngineMetrics(scheduler.numRunning(), scheduler.numWaiting() + compilingUnscheduled(), blocks.usage(),
                scheduler.promptTokens() == 0 ? 0 : (double) scheduler.cachedTokens() / scheduler.promptTokens(),
                scheduler.preemptions(), scheduler.promptTokens(), scheduler.cachedTokens(),
                scheduler.tierCachedTokens(), swapper.swappedOutBlocks(), scheduler.swappedInTokens(),
                blocks.windowReleasedBlocks(), computedTokens, generatedTokens, requestsFinished, steps, lastStepNanos,
                stepNanos, forwardNanos, sampleNanos);
    }

    /** Requests with max_tokens 0 whose constraint is compiling: they wait outside the scheduler. */
    private int compilingUnscheduled() {
        return (int) compiling.stream().filter(c -> c.sequence().text.finished()).count();
    }

    /** Time spent building and applying structured outputs' token masks. */
    public StructuredOutputStats structuredOutputStats() {
        return structuredOutputs.stats();
    }

    public EngineConfig config() {
        return config;
    }

    /** A request whose constraint is compiling, and the matcher it will get. */
    private record Compiling(Sequence sequence, CompletableFuture<StructuredOutputGrammar> grammar) {
    }
}
