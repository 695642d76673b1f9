package dev.prefixflow.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefixflow.gguf.GgmlType;
import dev.prefixflow.platform.Kernels;
import dev.prefixflow.platform.KvPoolSpec;
import dev.prefixflow.platform.MemoryInfo;
import dev.prefixflow.platform.Platform;
import dev.prefixflow.platform.PlatformCapabilities;
import dev.prefixflow.platform.Platforms;
import dev.prefixflow.platform.Tensor;
import dev.prefixflow.platform.offheap.OffHeapPlatform;
import java.util.List;
import java.util.OptionalLong;
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
        assertTrue(c.chunkedPrefill() && c.prefixCaching() && c.lora() && c.slidingWindow());
        MemoryInfo m = p.memoryInfo();
        assertEquals(Runtime.getRuntime().maxMemory(), m.totalBytes());
        assertTrue(m.availableBytes() > 0 && m.availableBytes() <= m.totalBytes());
    }

    /** The platform picks its backend by head size and KV dtype, and names what it has when none fits. */
    @Test
    void picksAnAttentionBackendForTheHeadSizeAndKvDtype() {
        Platform p = new CpuPlatform();
        assertEquals("cpu-paged", p.attentionBackend(64, GgmlType.F32).getName());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> p.attentionBackend(64, GgmlType.F16));
        assertTrue(e.getMessage().contains("KV cache dtype F16") && e.getMessage().contains("cpu-paged"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> p.attentionBackend(64, GgmlType.F32)
                .allocate(new KvPoolSpec(1, 1, 64, 1, 16, GgmlType.F16)));
    }

    /** Tensors are the platform's own: a tensor of another platform is refused, not misread. */
    @Test
    void refusesTensorsOfAnotherPlatform() {
        Tensor foreign = new OffHeapPlatform().kernels().allocate(2, 4);
        Kernels kernels = new CpuPlatform().kernels();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> kernels.add(kernels.allocate(2, 4), foreign));
        assertTrue(e.getMessage().contains("not allocated by the cpu platform"), e.getMessage());
    }

    /** Only a sanity bound: any machine with the Vector API does far more than one GFLOP/s. */
    @Test
    void measuresAMultiplyAddPeak() {
        double flops = new CpuPlatform().measurePeakFlops();
        assertTrue(Double.isFinite(flops) && flops > 1e9, "peak " + flops + " FLOP/s");
    }

    @Test
    void advisesTheTrapLimitOnlyBelowWhatTheKernelsNeed() {
        List<String> advice = JitSettings.advice(OptionalLong.of(100));
        assertEquals(1, advice.size(), advice.toString());
        assertTrue(advice.get(0).contains("-XX:PerMethodTrapLimit=10000")
                && advice.get(0).contains("PerMethodTrapLimit=100,")
                && advice.get(0).contains("env.java.opts.taskmanager"), advice.get(0));
        assertEquals(List.of(), JitSettings.advice(OptionalLong.of(10_000)));
        assertEquals(List.of(), JitSettings.advice(OptionalLong.empty()));
    }

    /** The build runs its tests with the flags the launcher and the docs give users. */
    @Test
    void readsThisJvmsTrapLimitAndHasNoAdviceUnderTheBuildsFlags() {
        assertEquals(OptionalLong.of(JitSettings.TRAP_LIMIT_NEEDED), JitSettings.trapLimit());
        assertEquals(List.of(), new CpuPlatform().advice());
    }
}
