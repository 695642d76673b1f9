package dev.prefixflow.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.prefixflow.gguf.GgmlType;
import org.junit.jupiter.api.Test;

/** The compute rows and fields of a bench report, on made-up figures. */
class BenchReportTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** 1 G multiply-adds per token in the layers, 100 M in the output matrix. */
    static final TokenCost COST = new TokenCost(1_000_000_000L, GgmlType.Q8_0, 1_000_000_000L, 100_000_000L);
    /** 100 prompt tokens in 2 s, 10 decode tokens in 1 s. */
    static final ThroughputBench.Timing TIMING = new ThroughputBench.Timing(100, 2.0, 10, 1.0);
    /** Prefill computes 2.002 GFLOP per token at 50 tokens/s: exactly half this peak. */
    static final double PEAK = 200.2e9;

    @Test
    void tableComparesPrefillWithTheComputePeak() {
        String table = new BenchReport("m.gguf", "cpu", 2, COST, TIMING, 50, PEAK).table();
        assertTrue(table.contains("compute peak            200.2 GFLOP/s  (FP32 multiply-add, 2 threads)"), table);
        assertTrue(table.contains("prefill compute         100.1 GFLOP/s  (2.00 GFLOP/token, 50.0 % of peak)"), table);
        // 200.2 GFLOP/s over 2.002 GFLOP/token is 100 tokens/s: 10x decode's 10.
        assertTrue(table.contains("prefill/decode           5.00 x     per token (target >= 10 x; at 100 % of peak: "
                + "10.00 x)"), table);
    }

    @Test
    void jsonHoldsTheComputeFigures() throws Exception {
        JsonNode j = JSON.readTree(new BenchReport("m.gguf", "cpu", 2, COST, TIMING, 50, PEAK).json());
        assertEquals(PEAK, j.get("compute_peak_flops").asDouble());
        assertEquals(2.002e9, j.get("prefill_flops_per_token").asDouble(), 1e-3);
        assertEquals(0.5, j.get("prefill_peak_fraction").asDouble(), 1e-12);
        assertEquals(10, j.get("prefill_decode_speedup_bound").asDouble(), 1e-9);
    }

    @Test
    void anUnknownPeakIsNotApplicableAndHasNoBound() throws Exception {
        BenchReport report = new BenchReport("m.gguf", "other", 2, COST, TIMING, 50, Double.NaN);
        String table = report.table();
        assertTrue(table.contains("compute peak              n/a"), table);
        assertTrue(table.contains("prefill compute         100.1 GFLOP/s  (2.00 GFLOP/token)"), table);
        assertTrue(table.contains("per token (target >= 10 x)"), table);
        assertFalse(table.contains("of peak"), table);

        JsonNode j = JSON.readTree(report.json());
        assertEquals(2.002e9, j.get("prefill_flops_per_token").asDouble(), 1e-3);
        for (String unknown : new String[] {"compute_peak_flops", "prefill_peak_fraction",
            "prefill_decode_speedup_bound"}) {
            assertTrue(j.get(unknown).isNull(), unknown + " = " + j.get(unknown));
        }
    }
}
