package dev.prefixflow.cpu;

import dev.prefixflow.gguf.GgmlType;
import dev.prefixflow.platform.AttentionBackend;
import dev.prefixflow.platform.Kernels;
import dev.prefixflow.platform.MemoryInfo;
import dev.prefixflow.platform.Platform;
import dev.prefixflow.platform.PlatformCapabilities;
import java.util.EnumSet;
import java.util.List;

/**
 * The CPU: always available, lowest priority. Its kernels and attention share one thread pool,
 * sized by the system property {@value CpuThreadPool#THREADS_PROPERTY} (default: available processors).
 */
public final class CpuPlatform implements Platform {

    private static final PlatformCapabilities CAPABILITIES = new PlatformCapabilities(
            EnumSet.of(GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_K,
                    GgmlType.Q6_K),
            true, true, true, true);

    private final CpuThreadPool pool;
    private final CpuKernels kernels;
    private final List<AttentionBackend> attentionBackends;

    /** The constructor {@link java.util.ServiceLoader} calls. */
    public CpuPlatform() {
        this.pool = CpuThreadPool.shared();
        this.kernels = new CpuKernels(pool);
        this.attentionBackends = List.of(new CpuAttentionBackend(pool));
    }

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public boolean isAvailable() {
        return true;
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public PlatformCapabilities capabilities() {
        return CAPABILITIES;
    }

    /**
     * The JVM heap, because weights, the KV pool and activations all live in heap arrays: total is
     * the maximum heap, available is what the heap could still grow to hold.
     */
    @Override
    public MemoryInfo memoryInfo() {
        Runtime rt = Runtime.getRuntime();
        long used = rt.totalMemory() - rt.freeMemory();
        return new MemoryInfo(rt.maxMemory(), rt.maxMemory() - used);
    }

    /** One thread per pool thread, each on its own multiply-add chains. */
    @Override
    public double measurePeakFlops() {
        return FmaPeak.flopsPerSecond(pool.threads());
    }

    @Override
    public List<String> advice() {
        return JitSettings.advice(JitSettings.trapLimit());
    }

    @Override
    public Kernels kernels() {
        return kernels;
    }

    @Override
    public List<AttentionBackend> attentionBackends() {
        return attentionBackends;
    }
}
