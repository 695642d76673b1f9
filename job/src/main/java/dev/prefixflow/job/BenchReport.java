package dev.prefixflow.job;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;

/**
 * The figures of one bench run and the two ways they are printed: a table for people, one JSON line
 * for scripts.
 *
 * @param bandwidthGBps the machine's streaming-read memory bandwidth, measured in the same run
 */
record BenchReport(String model, String weightType, String platform, int threads, long weightBytesPerToken,
                   ThroughputRun.Timing timing, double bandwidthGBps) {

    /** The targets: decode at this fraction of memory bandwidth, prefill this much faster per token. */
    static final double DECODE_BANDWIDTH_TARGET = 0.60;
    static final double PREFILL_SPEEDUP_TARGET = 10;

    double effectiveGBps() {
        return weightBytesPerToken * timing.decodeTokensPerSecond() / 1e9;
    }

    double bandwidthFraction() {
        return effectiveGBps() / bandwidthGBps;
    }

    double prefillSpeedup() {
        return timing.prefillTokensPerSecond() / timing.decodeTokensPerSecond();
    }

    String table() {
        ThroughputRun.Timing t = timing;
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "bench: %s (%s) on %s, %d threads, single sequence%n", model, weightType,
                platform, threads));
        row(s, "prefill", String.format(Locale.ROOT, "%8.2f tokens/s  (%d tokens in %.2f s, %.1f ms/token)",
                t.prefillTokensPerSecond(), t.prefillTokens(), t.prefillSeconds(), 1e3 / t.prefillTokensPerSecond()));
        row(s, "decode", String.format(Locale.ROOT, "%8.2f tokens/s  (%d tokens in %.2f s, %.1f ms/token)",
                t.decodeTokensPerSecond(), t.decodeTokens(), t.decodeSeconds(), 1e3 / t.decodeTokensPerSecond()));
        row(s, "weight bytes/token", String.format(Locale.ROOT, "%8.1f MB", weightBytesPerToken / 1e6));
        row(s, "decode bandwidth", String.format(Locale.ROOT, "%8.2f GB/s", effectiveGBps()));
        row(s, "memory bandwidth", String.format(Locale.ROOT, "%8.2f GB/s  (streaming read, %d threads)",
                bandwidthGBps, threads));
        row(s, "decode/memory", String.format(Locale.ROOT, "%8.1f %%     (target >= %.0f %%)", 100 * bandwidthFraction(),
                100 * DECODE_BANDWIDTH_TARGET));
        row(s, "prefill/decode", String.format(Locale.ROOT, "%8.2f x     per token (target >= %.0f x)",
                prefillSpeedup(), PREFILL_SPEEDUP_TARGET));
        return s.toString();
    }

    String json() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode n = mapper.createObjectNode();
        n.put("model", model);
        n.put("weight_type", weightType);
        n.put("platform", platform);
        n.put("threads", threads);
        n.put("prompt_tokens", timing.prefillTokens());
        n.put("prefill_seconds", timing.prefillSeconds());
        n.put("prefill_tokens_per_s", timing.prefillTokensPerSecond());
        n.put("decode_tokens", timing.decodeTokens());
        n.put("decode_seconds", timing.decodeSeconds());
        n.put("decode_tokens_per_s", timing.decodeTokensPerSecond());
        n.put("weight_bytes_per_token", weightBytesPerToken);
        n.put("decode_gb_per_s", effectiveGBps());
        n.put("memory_gb_per_s", bandwidthGBps);
        n.put("decode_bandwidth_fraction", bandwidthFraction());
        n.put("prefill_decode_speedup", prefillSpeedup());
        return mapper.writeValueAsString(n);
    }

    private static void row(StringBuilder s, String label, String value) {
        s.append(String.format(Locale.ROOT, "  %-20s %s%n", label, value));
    }
}
