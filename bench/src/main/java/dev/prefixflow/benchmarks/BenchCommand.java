package dev.prefixflow.benchmarks;

import dev.prefixflow.bench.MemoryBandwidth;
import dev.prefixflow.gguf.GgmlType;
import dev.prefixflow.gguf.GgufFile;
import dev.prefixflow.model.LoadedModel;
import dev.prefixflow.model.ModelLoader;
import dev.prefixflow.model.synthetic.ModelShape;
import dev.prefixflow.platform.AttentionBackend;
import dev.prefixflow.platform.Platform;
import dev.prefixflow.platform.Platforms;
import dev.prefixflow.tokenizer.Tokenizer;
import dev.prefixflow.tokenizer.TokenizerLoader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Single-sequence prefill and decode speed of a model, against the machine's memory bandwidth and
 * compute peak; or, with {@code --tokenizer}, its tokenizer's encode speed.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure single-sequence prefill and decode tokens/s, decode's share of memory bandwidth and"
                + " prefill's share of the compute peak, or with --tokenizer the tokenizer's encode MB/s.")
public final class BenchCommand implements Callable<Integer> {

    /** System property sizing the CPU platform's thread pool (read when the platform first starts). */
    private static final String THREADS_PROPERTY = "prefixflow.cpu.threads";
    /** Far larger than any CPU cache, so the bandwidth is DRAM's. */
    private static final long BANDWIDTH_BYTES = 1L << 30;
    /** So that C2 has compiled the decode path before the timed steps, which would share the cores with it. */
    private static final int WARMUP_DECODE = 16;
    /** Structured outputs' ratios move by tens of percent from run to run on a shared machine: a median of 3. */
    private static final int STRUCTURED_ROUNDS = 3;
    /** Tokenizer corpora are at least this long, so that one encode runs for a while. */
    private static final int TOKENIZER_CORPUS_CHARS = 4 << 20;

    @ArgGroup(multiplicity = "1")
    Source source;

    static final class Source {
        @Option(names = "--model", required = true, description = "GGUF model file.")
        Path model;

        @Option(names = "--synthetic", required = true, paramLabel = "SHAPE",
                description = "Generate a model of this shape: llama-1b, tinyllama-1.1b, tiny, optionally with "
                        + "overrides, e.g. llama-1b,layers=4 (keys: dim, layers, heads, kv-heads, ffn, vocab, "
                        + "context, rope-base, tied).")
        String synthetic;
    }

    @Option(names = "--type", defaultValue = "Q8_0",
            description = "Weight type of a synthetic model: F32, F16, Q8_0, Q4_0, Q4_K, Q6_K (default: ${DEFAULT-VALUE}).")
    GgmlType type;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of a synthetic model's weights.")
    long seed;

    @Option(names = "--cache-dir", defaultValue = "bench-models",
            description = "Where synthetic models are kept (default: ${DEFAULT-VALUE}).")
    Path cacheDir;

    @Option(names = "--prompt-tokens", defaultValue = "512", description = "Prompt length (default: ${DEFAULT-VALUE}).")
    int promptTokens;

    @Option(names = "--decode-tokens", defaultValue = "64", description = "Decode steps (default: ${DEFAULT-VALUE}).")
    int decodeTokens;

    @Option(names = "--threads", description = "CPU threads (default: available processors).")
    Integer threads;

    @Option(names = "--json", description = "Print one JSON object on stdout instead of the table.")
    boolean json;

    @Option(names = "--tokenizer", description = "Measure only the tokenizer of --model: encode MB/s, one thread.")
    boolean tokenizerOnly;

    @Option(names = "--text", paramLabel = "FILE",
            description = "With --tokenizer: UTF-8 text to encode, repeated to at least 4 MB (default: prose-like text"
                    + " made from the vocabulary's words).")
    Path text;

    @Option(names = "--engine", description = "Measure the engine instead: generated tokens/s of --requests requests "
            + "(--prompt-tokens each, --decode-tokens generated) at max_num_seqs 1, 8 and 32 with the scheduler's share "
            + "of step time, and a shared-prefix workload with and without prefix caching (with the same share).")
    boolean engine;

    @Option(names = "--requests", defaultValue = "32", description = "With --engine: requests per run (default: ${DEFAULT-VALUE}).")
    int requests;

    @Option(names = "--max-num-seqs", split = ",", defaultValue = "1,8,32", paramLabel = "N",
            description = "With --engine: the max_num_seqs to run the requests at, in order; the shared-prefix runs use"
                    + " the last (default: ${DEFAULT-VALUE}). With --structured: the first is used.")
    List<Integer> maxNumSeqs;

    @Option(names = "--shared-prefix-tokens", defaultValue = "128",
            description = "With --engine: the common prefix of the prefix-caching runs (default: ${DEFAULT-VALUE}).")
    int sharedPrefixTokens;

    @Option(names = "--structured", description = "Measure structured outputs instead: generated tokens/s of --requests "
            + "requests (--prompt-tokens each, --decode-tokens generated, EOS ignored) unconstrained and constrained by "
            + "a JSON schema, and token mask build and apply time.")
    boolean structured;

    @Option(names = "--vocabulary", paramLabel = "GGUF", description = "With --synthetic: take the vocabulary (every "
            + "tokenizer.* key) from this GGUF file, e.g. models/vocab/ggml-vocab-qwen2.gguf.")
    Path vocabulary;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (promptTokens <= 0 || decodeTokens <= 0) {
            throw new IllegalArgumentException("--prompt-tokens and --decode-tokens must be positive");
        }
        if (tokenizerOnly) {
            return benchTokenizer();
        }
        PrintWriter err = spec.commandLine().getErr();
        int threadCount = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        System.setProperty(THREADS_PROPERTY, Integer.toString(threadCount));
        Path path = modelPath(err);
        if (engine) {
            return benchEngine(path, err);
        }
        if (structured) {
            return benchStructured(path, err);
        }
        // Measured before the model is loaded, so its arrays do not compete with the weights for memory.
        err.println("measuring memory bandwidth and compute peak ...");
        err.flush();
        double bandwidth = MemoryBandwidth.streamingReadGBps(BANDWIDTH_BYTES, threadCount);
        Platform platform = platform(err);
        double peakFlops = platform.measurePeakFlops();
        BenchReport report;
        try (LoadedModel model = ModelLoader.load(path, platform)) {
            TokenCost cost = TokenCost.of(model.file());
            // Room for the warm-up too, whose decode steps may outnumber the timed ones.
            ThroughputBench run = new ThroughputBench(model.model(), model.config().attentionBackend(platform),
                    promptTokens + Math.max(decodeTokens, WARMUP_DECODE));
            err.printf("running %d prompt tokens and %d decode steps ...%n", promptTokens, decodeTokens);
            err.flush();
            ThroughputBench.Timing timing = run.measure(prompt(model.config().vocabSize()), decodeTokens,
                    WARMUP_DECODE);
            report = new BenchReport(path.getFileName().toString(), platform.name(), threadCount, cost, timing,
                    bandwidth, peakFlops);
            SwapInBench.Result swap = SwapInBench.measure(model, model.config().attentionBackend(platform),
                    prompt(model.config().vocabSize()));
            err.printf("evicted-block tier: swap-in of one block (%d bytes) %.3f ms, prefill of its 16 tokens "
                    + "%.3f ms: swap-in is %.1fx faster%n", swap.entryBytes(), swap.swapInMs(), swap.prefillMs(),
                    swap.ratio());
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print(json ? report.json() + System.lineSeparator() : report.table());
        out.flush();
        return 0;
    }

    private int benchEngine(Path path, PrintWriter err) throws IOException {
        Platform platform = platform(err);
        err.println("measuring compute peak ...");
        err.flush();
        double peakFlops = platform.measurePeakFlops();
        PrintWriter out = spec.commandLine().getOut();
        try (LoadedModel model = ModelLoader.load(path, platform)) {
            AttentionBackend attention = model.config().attentionBackend(platform);
            err.println("warming up ...");
            err.flush();
            EngineBench.run(model, attention, new EngineBench.Workload(4, 16, 4, 16, List.of(4)));
            EngineBench.Result r = EngineBench.run(model, attention, new EngineBench.Workload(requests,
                    promptTokens, decodeTokens, sharedPrefixTokens, maxNumSeqs));
            out.printf(Locale.ROOT, "engine bench: %s, %d requests x (%d prompt + %d generated tokens)%n",
                    path.getFileName(), requests, promptTokens, decodeTokens);
            // Ratios are to the first point, max_num_seqs 1 unless --max-num-seqs says otherwise.
            double single = r.throughput().get(0).tokensPerSecond();
            int first = r.throughput().get(0).maxNumSeqs();
            for (EngineBench.ThroughputPoint p : r.throughput()) {
                out.printf(Locale.ROOT, "  max_num_seqs %2d  %8.1f generated tokens/s  (%5.2f x max_num_seqs %d)  "
                        + "scheduler+block manager %4.1f%% of step time%n", p.maxNumSeqs(), p.tokensPerSecond(),
                        p.tokensPerSecond() / single, first, 100 * p.overheadShare());
            }
            if (Double.isFinite(peakFlops)) {
                // Every generated token costs at least a decode token's FLOPs, however the steps are batched.
                double bound = peakFlops / TokenCost.of(model.file()).decodeFlopsPerToken();
                out.printf(Locale.ROOT, "  bound: at 100 %% of the %.1f GFLOP/s peak a batched step yields at most "
                        + "%.1f tokens/s = %.1f x max_num_seqs %d%n", peakFlops / 1e9, bound, bound / single, first);
            }
            for (EngineBench.PrefixCachePoint p : r.prefixCaching()) {
                out.printf(Locale.ROOT, "  shared %d-token prefix, prefix caching %-3s  %7.2f s  %7d computed tokens  "
                        + "hit rate %5.1f%%  scheduler+block manager %4.1f%% of step time%n", sharedPrefixTokens,
                        p.prefixCaching() ? "on" : "off", p.seconds(), p.computedTokens(), 100 * p.hitRate(),
                        100 * p.overheadShare());
            }
        }
        out.flush();
        return 0;
    }

    private int benchStructured(Path path, PrintWriter err) throws IOException {
        Platform platform = platform(err);
        PrintWriter out = spec.commandLine().getOut();
        int seqs = maxNumSeqs.get(0);
        try (LoadedModel model = ModelLoader.load(path, platform)) {
            AttentionBackend attention = model.config().attentionBackend(platform);
            err.println("warming up ...");
            err.flush();
            // At full size, greedy and sampled: the engine's step is still getting faster (JIT) after a
            // short warm-up, which would show in the cold ratio as if structured outputs cost it.
            StructuredOutputsBench.Result warmUp = StructuredOutputsBench.run(model, attention, requests, promptTokens,
                    decodeTokens, seqs, 0f);
            StructuredOutputsBench.run(model, attention, requests, promptTokens, decodeTokens, seqs, 1f);
            out.printf(Locale.ROOT, "structured outputs bench: %s (vocabulary %d), %d requests x (%d prompt + %d "
                    + "generated tokens), max_num_seqs %d%n", path.getFileName(), model.config().vocabSize(), requests,
                    promptTokens, decodeTokens, seqs);
            for (float temperature : new float[] {0f, 1f}) {
                out.printf(Locale.ROOT, " %s: %d rounds of unconstrained, cold, unconstrained, warm (tokens/s; ratio "
                        + "to the unconstrained run before; mask apply us/token; compile ms; masks built, ms each)%n",
                        temperature == 0f ? "greedy" : "sampled (temperature 1, seeded)", STRUCTURED_ROUNDS);
                double[] cold = new double[STRUCTURED_ROUNDS];
                double[] warm = new double[STRUCTURED_ROUNDS];
                for (int round = 0; round < STRUCTURED_ROUNDS; round++) {
                    StructuredOutputsBench.Result r = StructuredOutputsBench.run(model, attention, requests,
                            promptTokens, decodeTokens, seqs, temperature);
                    double tokens = r.tokensPerRun();
                    cold[round] = r.coldRatio();
                    warm[round] = r.warmRatio();
                    out.printf(Locale.ROOT, "  %6.1f  cold %6.1f (%.2f x, %5.1f us)  %6.1f  warm %6.1f (%.2f x, %5.1f "
                            + "us)  compile %4.0f ms  %d masks, %.2f ms%n", tokens / r.unconstrainedSeconds(),
                            tokens / r.coldSeconds(), r.coldRatio(), r.coldApplyUsPerToken(),
                            tokens / r.unconstrainedAgainSeconds(), tokens / r.warmSeconds(), r.warmRatio(),
                            r.warmApplyUsPerToken(), r.compileMs(), r.masksBuilt(), r.buildMsPerMask());
                }
                out.printf(Locale.ROOT, "  median: cold %.2f x unconstrained, warm %.2f x unconstrained%n",
                        median(cold), median(warm));
            }
            out.printf(Locale.ROOT, " warm-up (JIT cold, not timed above): schema compiled in %.0f ms, vocabulary trie "
                    + "built in %.0f ms (once per model in the JVM)%n", warmUp.compileMs(), warmUp.trieMs());
        }
        out.flush();
        return 0;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private int benchTokenizer() throws Exception {
        if (source.model == null) {
            throw new IllegalArgumentException("--tokenizer needs --model");
        }
        Tokenizer tokenizer;
        try (GgufFile file = GgufFile.open(modelPath(spec.commandLine().getErr()))) {
            tokenizer = TokenizerLoader.fromGguf(file);
        }
        String corpus;
        String corpusName;
        if (text != null) {
            String content = Files.readString(text);
            if (content.isEmpty()) {
                throw new IllegalArgumentException("--text file is empty: " + text);
            }
            int copies = (TOKENIZER_CORPUS_CHARS + content.length() - 1) / content.length();
            corpus = content.repeat(copies);
            corpusName = text.getFileName() + " x " + copies;
        } else {
            corpus = VocabularyText.generate(tokenizer, TOKENIZER_CORPUS_CHARS, seed);
            corpusName = "text from the vocabulary";
        }
        TokenizerBench result = TokenizerBench.measure(source.model.getFileName().toString(), corpusName,
                tokenizer, corpus);
        PrintWriter out = spec.commandLine().getOut();
        out.print(json ? result.json() + System.lineSeparator() : result.table());
        out.flush();
        return 0;
    }

    /** The preferred platform, its advice for this JVM shown first: a figure measured without it is low. */
    private static Platform platform(PrintWriter err) {
        Platform platform = Platforms.select(null);
        platform.advice().forEach(a -> err.println("advice: " + a));
        err.flush();
        return platform;
    }

    private Path modelPath(PrintWriter log) throws IOException {
        if (source.model != null) {
            if (!Files.isRegularFile(source.model)) {
                throw new IOException("model file not found: " + source.model);
            }
            return source.model;
        }
        return new SyntheticModelCache(cacheDir).get(ModelShape.parse(source.synthetic), type, seed, vocabulary, log);
    }

    /** Fixed pseudo-random token ids: the weights read do not depend on which tokens they are. */
    private int[] prompt(int vocabSize) {
        SplittableRandom random = new SplittableRandom(seed);
        int[] ids = new int[promptTokens];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = random.nextInt(vocabSize);
        }
        return ids;
    }
}
