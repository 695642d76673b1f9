package dev.prefixflow.benchmarks;

import dev.prefixflow.engine.EngineConfig;
import dev.prefixflow.engine.EngineMetrics;
import dev.prefixflow.engine.LlmEngine;
import dev.prefixflow.engine.Request;
import dev.prefixflow.engine.tier.BlockTier;
import dev.prefixflow.lora.LoraAdapters;
import dev.prefixflow.model.LoadedModel;
import dev.prefixflow.model.ModelLoader;
import dev.prefixflow.platform.AttentionBackend;
import dev.prefixflow.platform.Platform;
import dev.prefixflow.platform.Platforms;
import dev.prefixflow.sampling.SamplingParams;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Engine throughput on a model: generated tokens/s at several max_num_seqs with the share of step
 * time spent outside the forward pass and sampling (scheduler, block manager, bookkeeping), a
 * shared-prefix workload with and without prefix caching (with the same share), and, given LoRA adapters, a batch spread
 * over the adapters and none against the same batch without adapters. Reusable: {@link #run} and
 * {@link #runLora} return the figures; {@link #main} prints them.
 */
public final class EngineBench {

    /**
     * @param requests requests per run
     * @param promptTokens prompt length of the throughput runs
     * @param maxTokens tokens generated per request (EOS ignored, so exactly this many)
     * @param sharedPrefixTokens the common prefix of the prefix-caching runs (each adds 16 own tokens)
     */
    public record Workload(int requests, int promptTokens, int maxTokens, int sharedPrefixTokens,
                           List<Integer> maxNumSeqs) {
        public static Workload standard() {
            return new Workload(64, 32, 32, 256, List.of(1, 8, 32));
        }
    }

    public record ThroughputPoint(int maxNumSeqs, long generatedTokens, double seconds, double tokensPerSecond,
                                  double overheadShare) {
    }

    public record PrefixCachePoint(boolean prefixCaching, double seconds, long computedTokens, double hitRate,
                                   double tokensPerSecond, double overheadShare) {
    }

    public record Result(List<ThroughputPoint> throughput, List<PrefixCachePoint> prefixCaching) {
    }

    /** Generated tokens/s of one batch without adapters and with its requests spread over adapters and none. */
    public record LoraPoint(int requests, long generatedTokens, double baseTokensPerSecond,
                            double mixedTokensPerSecond) {
        public double ratio() {
            return mixedTokensPerSecond / baseTokensPerSecond;
        }
    }

    private EngineBench() {
    }

    public static Result run(LoadedModel model, AttentionBackend attention, Workload w) {
        Random random = new Random(1);
        int vocab = model.config().vocabSize();
        List<Request> plain = new ArrayList<>();
        for (int i = 0; i < w.requests(); i++) {
            plain.add(request("t" + i, random.ints(w.promptTokens(), 3, vocab).toArray(), w.maxTokens()));
        }
        List<ThroughputPoint> throughput = new ArrayList<>();
        for (int seqs : w.maxNumSeqs()) {
            Run r = runAll(model, attention, config(model, seqs, true), plain);
            throughput.add(new ThroughputPoint(seqs, r.metrics.generatedTokens(), r.seconds,
                    r.metrics.generatedTokens() / r.seconds, r.metrics.overheadShare()));
        }
        int[] prefix = random.ints(w.sharedPrefixTokens(), 3, vocab).toArray();
        List<Request> shared = new ArrayList<>();
        for (int i = 0; i < w.requests(); i++) {
            int[] prompt = IntStream.concat(IntStream.of(prefix), random.ints(16, 3, vocab)).toArray();
            shared.add(request("p" + i, prompt, w.maxTokens()));
        }
        int seqs = w.maxNumSeqs().get(w.maxNumSeqs().size() - 1);
        List<PrefixCachePoint> caching = new ArrayList<>();
        for (boolean on : new boolean[] {false, true}) {
            Run r = runAll(model, attention, config(model, seqs, on), shared);
            caching.add(new PrefixCachePoint(on, r.seconds, r.metrics.computedTokens(),
                    r.metrics.prefixCacheHitRate(), r.metrics.generatedTokens() / r.seconds,
                    r.metrics.overheadShare()));
        }
        return new Result(throughput, caching);
    }

    /**
     * {@code requests} requests of the throughput workload's shape, all running at once: without
     * adapters, and with request i on adapter {@code i % (n + 1)} of the n adapters (n: none). The
     * two alternate for {@code rounds} rounds and each keeps its best, so that a burst of load from
     * elsewhere on the machine does not decide the ratio.
     */
    public static LoraPoint runLora(LoadedModel model, AttentionBackend attention, LoraAdapters adapters,
                                    int requests, int rounds, Workload w) {
        Random random = new Random(1);
        List<String> names = new ArrayList<>(adapters.names());
        List<Request> plain = new ArrayList<>();
        List<Request> mixed = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            int[] prompt = random.ints(w.promptTokens(), 3, model.config().vocabSize()).toArray();
            int pick = i % (names.size() + 1);
            plain.add(request("l" + i, prompt, w.maxTokens(), null));
            mixed.add(request("l" + i, prompt, w.maxTokens(), pick == names.size() ? null : names.get(pick)));
        }
        EngineConfig config = config(model, requests, true);
        double base = 0;
        double lora = 0;
        long generated = 0;
        for (int round = 0; round < rounds; round++) {
            Run b = runAll(model, attention, adapters, config, plain);
            Run l = runAll(model, attention, adapters, config, mixed);
            base = Math.max(base, b.metrics.generatedTokens() / b.seconds);
            lora = Math.max(lora, l.metrics.generatedTokens() / l.seconds);
            generated = l.metrics.generatedTokens();
        }
        return new LoraPoint(requests, generated, base, lora);
    }

    private record Run(EngineMetrics metrics, double seconds) {
    }

    private static Run runAll(LoadedModel model, AttentionBackend attention, EngineConfig config,
                              List<Request> requests) {
        return runAll(model, attention, LoraAdapters.NONE, config, requests);
    }

    private static Run runAll(LoadedModel model, AttentionBackend attention, LoraAdapters adapters,
                              EngineConfig config, List<Request> requests) {
        LlmEngine engine = new LlmEngine(model, attention, config, adapters, BlockTier.NONE, System::nanoTime);
        long start = System.nanoTime();
        requests.forEach(engine::addRequest);
        engine.runUntilDone();
        return new Run(engine.metrics(), (System.nanoTime() - start) / 1e9);
    }

    private static EngineConfig config(LoadedModel model, int maxNumSeqs, boolean prefixCaching) {
        int blockSize = 16;
        int blocksPerContext = (model.config().contextLength() + blockSize - 1) / blockSize;
        return new EngineConfig(maxNumSeqs, 512, blockSize, maxNumSeqs * blocksPerContext, prefixCaching);
    }

    private static Request request(String id, int[] prompt, int maxTokens) {
        return request(id, prompt, maxTokens, null);
    }

    private static Request request(String id, int[] prompt, int maxTokens, String lora) {
        return new Request(id, prompt, SamplingParams.greedy(maxTokens).withIgnoreEos(true), lora);
    }

    /**
     * Usage: EngineBench MODEL.gguf [ADAPTER.gguf ...] — prints the figures of the standard
     * workload, and with adapters the mixed-adapter batch of 32 requests.
     */
    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: EngineBench MODEL.gguf [ADAPTER.gguf ...]");
            System.exit(2);
        }
        Platform platform = Platforms.select(null);
        try (LoadedModel model = ModelLoader.load(Path.of(args[0]), platform)) {
            AttentionBackend attention = model.config().attentionBackend(platform);
            run(model, attention, new Workload(16, 32, 8, 64, List.of(8))); // warm-up: JIT
            Result r = run(model, attention, Workload.standard());
            for (ThroughputPoint p : r.throughput()) {
                System.out.printf("max_num_seqs %2d: %6d tokens in %6.2f s = %8.1f generated tokens/s, "
                        + "scheduler+block manager+bookkeeping %.1f%% of step time%n", p.maxNumSeqs(),
                        p.generatedTokens(), p.seconds(), p.tokensPerSecond(), 100 * p.overheadShare());
            }
            for (PrefixCachePoint p : r.prefixCaching()) {
                System.out.printf("shared prefix, prefix caching %-3s: %6.2f s, %6d computed tokens, hit rate %5.1f%%, "
                        + "%8.1f generated tokens/s%n", p.prefixCaching() ? "on" : "off", p.seconds(),
                        p.computedTokens(), 100 * p.hitRate(), p.tokensPerSecond());
            }
            if (args.length > 1) {
                Map<String, Path> paths = new LinkedHashMap<>();
                for (int i = 1; i < args.length; i++) {
                    paths.put(Path.of(args[i]).getFileName().toString(), Path.of(args[i]));
                }
                LoraAdapters adapters = LoraAdapters.load(paths, model, platform);
                runLora(model, attention, adapters, 8, 1, new Workload(16, 32, 8, 64, List.of(8))); // warm-up: JIT
                LoraPoint p = runLora(model, attention, adapters, 32, 3, Workload.standard());
                System.out.printf("%d requests over %s and none: %8.1f generated tokens/s vs %8.1f without adapters"
                        + " = %.2fx (best of 3 alternating runs each)%n", p.requests(), adapters.names(), p.mixedTokensPerSecond(),
                        p.baseTokensPerSecond(), p.ratio());
            }
        }
    }
}
