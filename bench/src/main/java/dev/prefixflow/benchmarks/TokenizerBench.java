package dev.prefixflow.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prefixflow.tokenizer.Tokenizer;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Encode speed of one tokenizer on one thread, the whole corpus per call: one warm-up pass (JIT, and
 * the pre-token cache a long-running job would have filled), then the best of {@link #PASSES} timed
 * passes, by wall clock and by the thread's CPU time (which other processes on a shared machine do
 * not inflate).
 *
 * @param textBytes the corpus's UTF-8 size
 */
record TokenizerBench(String model, String corpus, long textBytes, int tokens, double seconds,
                           double cpuSeconds) {

    static final int PASSES = 3;

    static TokenizerBench measure(String model, String corpusName, Tokenizer tokenizer, String corpus) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        int tokens = tokenizer.encode(corpus, false).length;
        double best = Double.MAX_VALUE;
        double bestCpu = Double.MAX_VALUE;
        for (int pass = 0; pass < PASSES; pass++) {
            long cpuStart = threads.getCurrentThreadCpuTime();
            long start = System.nanoTime();
            tokenizer.encode(corpus, false);
            best = Math.min(best, (System.nanoTime() - start) / 1e9);
            bestCpu = Math.min(bestCpu, (threads.getCurrentThreadCpuTime() - cpuStart) / 1e9);
        }
        return new TokenizerBench(model, corpusName, corpus.getBytes(StandardCharsets.UTF_8).length, tokens,
                best, bestCpu);
    }

    double megabytesPerSecond() {
        return textBytes / 1e6 / seconds;
    }

    double megabytesPerCpuSecond() {
        return textBytes / 1e6 / cpuSeconds;
    }

    String table() {
        return String.format(Locale.ROOT, "bench: %s tokenizer, %s, 1 thread, best of %d passes%n"
                        + "  %-20s %8.2f MB/s  (%.2f MB -> %d tokens in %.2f s, %.0f tokens/s)%n"
                        + "  %-20s %8.2f MB/s  (per second of the thread's CPU time)%n",
                model, corpus, PASSES, "encode", megabytesPerSecond(), textBytes / 1e6, tokens, seconds,
                tokens / seconds, "encode, CPU time", megabytesPerCpuSecond());
    }

    String json() {
        ObjectNode n = new ObjectMapper().createObjectNode();
        n.put("model", model);
        n.put("corpus", corpus);
        n.put("text_bytes", textBytes);
        n.put("tokens", tokens);
        n.put("encode_seconds", seconds);
        n.put("encode_mb_per_s", megabytesPerSecond());
        n.put("encode_cpu_seconds", cpuSeconds);
        n.put("encode_mb_per_cpu_s", megabytesPerCpuSecond());
        return n.toString();
    }
}
