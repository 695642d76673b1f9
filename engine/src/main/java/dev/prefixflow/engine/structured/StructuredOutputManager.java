package dev.prefixflow.engine.structured;

import dev.prefixflow.tokenizer.Tokenizer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Compiles requests' constraints for one tokenizer (vLLM's StructuredOutputManager), off the engine
 * thread: {@link #grammar} returns at once, and the engine schedules the request when its grammar is
 * ready. Compiled constraints are kept (the last {@link #CACHED} of them, failures included), so
 * requests that share a schema share its automaton and its masks; the token masks of all of them
 * live in one {@link MaskCache} bounded in bytes.
 */
public final class StructuredOutputManager {
    static final int CACHED = 64;
    /** Shared by every engine in the JVM: compiling is rare and bursty, two threads are plenty. */
    private static final Executor COMPILER = compiler();

    private final Tokenizer tokenizer;
    private final Executor compileExecutor;
    private final MaskCache masks;
    private final StructuredOutputStats stats = new StructuredOutputStats();
    private final Map<StructuredOutputsParams, CompletableFuture<CompiledGrammar>> compiled =
            new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<StructuredOutputsParams, CompletableFuture<CompiledGrammar>> e) {
                    return size() > CACHED;
                }
            };

    public StructuredOutputManager(Tokenizer tokenizer) {
        this(tokenizer, COMPILER, ForkJoinPool.commonPool(), MaskCache.DEFAULT_BYTES);
    }

    /**
     * @param compileExecutor where constraints are compiled
     * @param maskExecutor where token masks are built
     * @param maskCacheBytes how many bytes of token masks to keep (least recently used out first)
     */
    public StructuredOutputManager(Tokenizer tokenizer, Executor compileExecutor, Executor maskExecutor,
                                   long maskCacheBytes) {
        this.tokenizer = tokenizer;
        this.compileExecutor = compileExecutor;
        this.masks = new MaskCache(maskCacheBytes, tokenizer.vocabularySize(), maskExecutor);
    }

    /**
     * A fresh matcher for a request's constraint, once the constraint is compiled. The future fails
     * with an {@link IllegalArgumentException} naming the problem: invalid schema JSON, an
     * unsupported keyword, a regex that cannot be compiled, an empty choice list, a constraint too
     * complex.
     */
    public CompletableFuture<StructuredOutputGrammar> grammar(StructuredOutputsParams params) {
        return compiled(params).thenApply(g -> new StructuredOutputGrammar(g, stats, tokenizer.eosId()));
    }

    synchronized CompletableFuture<CompiledGrammar> compiled(StructuredOutputsParams params) {
        return compiled.computeIfAbsent(params, p -> CompletableFuture.supplyAsync(() -> compile(p), compileExecutor));
    }

    private CompiledGrammar compile(StructuredOutputsParams params) {
        long start = System.nanoTime();
        CompiledGrammar g = new CompiledGrammar(ConstraintDfas.dfa(params), VocabularyTrie.of(tokenizer, stats),
                tokenizer.eosId(), masks, stats);
        // The first mask is needed as soon as the request runs.
        g.prefetch(CompiledGrammar.initialState());
        stats.compiled(System.nanoTime() - start);
        return g;
    }

    /**
     * Compiles a constraint as far as it goes without a tokenizer, so that a caller without the model
     * (a SQL planner) can reject a bad one early.
     *
     * @throws IllegalArgumentException naming the problem, as {@link #grammar} would
     */
    public static void check(StructuredOutputsParams params) {
        ConstraintDfas.dfa(params);
    }

    public StructuredOutputStats stats() {
        return stats;
    }

    MaskCache masks() {
        return masks;
    }

    private static Executor compiler() {
        AtomicInteger count = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(2, 2, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "prefixflow-structured-compile-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }
}
