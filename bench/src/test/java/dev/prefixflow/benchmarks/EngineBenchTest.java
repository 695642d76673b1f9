package dev.prefixflow.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefixflow.lora.LoraAdapters;
import dev.prefixflow.model.LoadedModel;
import dev.prefixflow.model.ModelLoader;
import dev.prefixflow.platform.Platform;
import dev.prefixflow.platform.Platforms;
import dev.prefixflow.testing.TestModels;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The benchmark's figures on a tiny workload: counts only, no timing assertions. */
class EngineBenchTest {

    @Test
    void reportsEveryPointAndCachingSavesComputation() throws Exception {
        Platform platform = Platforms.select(null);
        try (LoadedModel model = ModelLoader.load(TestModels.path("kjv-5m-q80.gguf"), platform)) {
            EngineBench.Result r = EngineBench.run(model, model.config().attentionBackend(platform),
                    new EngineBench.Workload(4, 8, 3, 32, List.of(1, 4)));
            assertEquals(List.of(1, 4), r.throughput().stream().map(EngineBench.ThroughputPoint::maxNumSeqs).toList());
            for (EngineBench.ThroughputPoint p : r.throughput()) {
                assertEquals(4 * 3, p.generatedTokens());
                assertTrue(p.overheadShare() >= 0 && p.overheadShare() < 1, "share " + p.overheadShare());
            }
            EngineBench.PrefixCachePoint off = r.prefixCaching().get(0);
            EngineBench.PrefixCachePoint on = r.prefixCaching().get(1);
            assertFalse(off.prefixCaching());
            assertEquals(0.0, off.hitRate());
            for (EngineBench.PrefixCachePoint p : r.prefixCaching()) {
                assertTrue(p.overheadShare() >= 0 && p.overheadShare() < 1, "share " + p.overheadShare());
            }
            // Three of four requests find the 32-token prefix cached (2 blocks of 16).
            assertEquals(off.computedTokens() - 3 * 32, on.computedTokens());
        }
    }

    @Test
    void theMixedAdapterBatchGeneratesAsManyTokensAsTheBaseBatch() throws Exception {
        Platform platform = Platforms.select(null);
        try (LoadedModel model = ModelLoader.load(TestModels.path("kjv-5m-q80.gguf"), platform)) {
            LoraAdapters adapters = LoraAdapters.load(Map.of("psalms", TestModels.path("kjv-5m-lora-psalms.gguf"),
                    "gospels", TestModels.path("kjv-5m-lora-gospels.gguf")), model, platform);
            EngineBench.LoraPoint p = EngineBench.runLora(model, model.config().attentionBackend(platform),
                    adapters, 6, 1, new EngineBench.Workload(6, 8, 3, 32, List.of(6)));
            assertEquals(6 * 3, p.generatedTokens());
            assertTrue(p.ratio() > 0, "ratio " + p.ratio());
        }
    }
}
