package dev.prefixflow.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;

/**
 * The figures of one bench run and the two ways they are printed: a table for people, one JSON line
 * for scripts.
 *
 * @param cost what one token costs in weight bytes and multiply-adds
 * @param bandwidthGBps the machine's streaming-read memory bandwidth, measured in the same run
 * @param peakFlops the platform's FP32 multiply-add peak, measured in the same run; NaN when unknown
 */
record BenchReport(String model, String platform, int threads, TokenCost cost, ThroughputBench.Timing timing,
                   double bandwidthGBps, double peakFlops) {

    /** The targets: decode at this fraction of memory bandwidth, prefill this much faster per token. */
    static final double DECODE_BANDWIDTH_TARGET = 0.60;
    static final double PREFILL_SPEEDUP_TARGET = 10;

    double effectiveGBps() {
        return cost.bytesPerToken() * timing.decodeTokensPerSecond() / 1e9;
    }

    double bandwidthFraction() {
        return effectiveGBps() / bandwidthGBps;
    }

    double prefillSpeedup() {
        return timing.prefillTokensPerSecond() / timing.decodeTokensPerSecond();
    }

    double prefillFlopsPerToken() {
        return cost.prefillFlopsPerToken(timing.prefillTokens());
    }

    double prefillFlops() {
        return prefillFlopsPerToken() * timing.prefillTokensPerSecond();
    }

    double prefillPeakFraction() {
        return prefillFlops() / peakFlops;
    }

    /** The prefill/decode ratio if prefill ran at the compute peak and decode as measured. */
    double prefillSpeedupBound() {
        return peakFlops / prefillFlopsPerToken() / timing.decodeTokensPerSecond();
    }

    String table() {
        ThroughputBench.Timing t = timing;
        boolean peakKnown = Double.isFinite(peakFlops);
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "bench: %s (%s) on %s, %d threads, single sequence%n", model,
                cost.mainType().name(), platform, threads));
        row(s, "prefill", String.format(Locale.ROOT, "%8.2f tokens/s  (%d tokens in %.2f s, %.1f ms/token)",
                t.prefillTokensPerSecond(), t.prefillTokens(), t.prefillSeconds(), 1e3 / t.prefillTokensPerSecond()));
        row(s, "decode", String.format(Locale.ROOT, "%8.2f tokens/s  (%d tokens in %.2f s, %.1f ms/token)",
                t.decodeTokensPerSecond(), t.decodeTokens(), t.decodeSeconds(), 1e3 / t.decodeTokensPerSecond()));
        row(s, "weight bytes/token", String.format(Locale.ROOT, "%8.1f MB", cost.bytesPerToken() / 1e6));
        row(s, "decode bandwidth", String.format(Locale.ROOT, "%8.2f GB/s", effectiveGBps()));
        row(s, "memory bandwidth", String.format(Locale.ROOT, "%8.2f GB/s  (streaming read, %d threads)",
                bandwidthGBps, threads));
        row(s, "decode/memory", String.format(Locale.ROOT, "%8.1f %%     (target >= %.0f %%)", 100 * bandwidthFraction(),
                100 * DECODE_BANDWIDTH_TARGET));
        row(s, "compute peak", peakKnown
                ? String.format(Locale.ROOT, "%8.1f GFLOP/s  (FP32 multiply-add, %d threads)", peakFlops / 1e9, threads)
                : String.format(Locale.ROOT, "%8s", "n/a"));
        row(s, "prefill compute", String.format(Locale.ROOT, "%8.1f GFLOP/s  (%.2f GFLOP/token%s)", prefillFlops() / 1e9,
                prefillFlopsPerToken() / 1e9, peakKnown
                        ? String.format(Locale.ROOT, ", %.1f %% of peak", 100 * prefillPeakFraction()) : ""));
        row(s, "prefill/decode", String.format(Locale.ROOT, "%8.2f x     per token (target >= %.0f x%s)",
                prefillSpeedup(), PREFILL_SPEEDUP_TARGET, peakKnown
                        ? String.format(Locale.ROOT, "; at 100 %% of peak: %.2f x", prefillSpeedupBound()) : ""));
        return s.toString();
    }

    String json() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode n = mapper.createObjectNode();
        n.put("model", model);
        n.put("weight_type", cost.mainType().name());
        n.put("platform", platform);
        n.put("threads", threads);
        n.put("prompt_tokens", timing.prefillTokens());
        n.put("prefill_seconds", timing.prefillSeconds());
        n.put("prefill_tokens_per_s", timing.prefillTokensPerSecond());
        n.put("decode_tokens", timing.decodeTokens());
        n.put("decode_seconds", timing.decodeSeconds());
        n.put("decode_tokens_per_s", timing.decodeTokensPerSecond());
        n.put("weight_bytes_per_token", cost.bytesPerToken());
        n.put("decode_gb_per_s", effectiveGBps());
        n.put("memory_gb_per_s", bandwidthGBps);
        n.put("decode_bandwidth_fraction", bandwidthFraction());
        n.put("prefill_decode_speedup", prefillSpeedup());
        n.put("prefill_flops_per_token", prefillFlopsPerToken());
        // null rather than NaN, which JSON cannot hold, where the platform cannot measure its peak.
        putFinite(n, "compute_peak_flops", peakFlops);
        putFinite(n, "prefill_peak_fraction", prefillPeakFraction());
        putFinite(n, "prefill_decode_speedup_bound", prefillSpeedupBound());
        return mapper.writeValueAsString(n);
    }

    private static void putFinite(ObjectNode n, String field, double value) {
        if (Double.isFinite(value)) {
            n.put(field, value);
        } else {
            n.putNull(field);
        }
    }

    private static void row(StringBuilder s, String label, String value) {
        s.append(String.format(Locale.ROOT, "  %-20s %s%n", label, value));
    }
}
