package dev.prefixflow.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefixflow.gguf.GgmlType;
import dev.prefixflow.platform.MemoryInfo;
import dev.prefixflow.platform.Platform;
import dev.prefixflow.platform.PlatformCapabilities;
import dev.prefixflow.platform.Platforms;
import org.junit.jupiter.api.Test;

class CpuPlatformTest {

    @Test
    void isFoundThroughServiceLoader() {
        Platform p = Platforms.select("cpu");
        assertTrue(p instanceof CpuPlatform);
        assertTrue(p.isAvailable());
        assertEquals(0, p.priority());
        assertEquals("cpu-paged", p.attentionBackends().get(0).getName());
    }

    @Test
    void reportsCapabilitiesAndHeapMemory() {
        Platform p = new CpuPlatform();
        PlatformCapabilities c = p.capabilities();
        for (GgmlType t : new GgmlType[] {GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0,
            GgmlType.Q4_K, GgmlType.Q6_K}) {
            assertTrue(c.supports(t), t.name());
        }
        assertFalse(c.supports(GgmlType.Q5_K));
        assertTrue(c.chunkedPrefill() && c.prefixCaching() && c.lora());
        assertFalse(c.slidingWindow());
        MemoryInfo m = p.memoryInfo();
        assertEquals(Runtime.getRuntime().maxMemory(), m.totalBytes());
        assertTrue(m.availableBytes() > 0 && m.availableBytes() <= m.totalBytes());
    }

    /** Only a sanity bound: any machine with the Vector API does far more than one GFLOP/s. */
    @Test
    void measuresAMultiplyAddPeak() {
        double flops = new CpuPlatform().measurePeakFlops();
        assertTrue(Double.isFinite(flops) && flops > 1e9, "peak " + flops + " FLOP/s");
    }
}
