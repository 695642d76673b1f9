package dev.prefixflow.platform.offheap;

import dev.prefixflow.gguf.GgmlType;
import dev.prefixflow.platform.AttentionBackend;
import dev.prefixflow.platform.Kernels;
import dev.prefixflow.platform.KvPool;
import dev.prefixflow.platform.KvPoolSpec;
import dev.prefixflow.platform.MemoryInfo;
import dev.prefixflow.platform.Platform;
import dev.prefixflow.platform.PlatformCapabilities;
import java.util.EnumSet;
import java.util.List;

/**
 * A second platform, for tests only: every tensor, weight and KV block lives in direct buffers
 * outside the Java heap, computed by scalar Java. It stands in for a device whose memory the host
 * cannot read: if the model code touched an activation on the host, it would not compile against
 * this platform's opaque handles, and a missing copy would show as wrong outputs. Not registered
 * with ServiceLoader, so {@code Platforms.select} never picks it; tests construct it.
 */
public final class OffHeapPlatform implements Platform {
    private static final PlatformCapabilities CAPABILITIES = new PlatformCapabilities(
            EnumSet.of(GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_K,
                    GgmlType.Q6_K),
            true, true, true, true);

    private final Kernels kernels = new OffHeapKernels();
    private final List<AttentionBackend> attentionBackends = List.of(new AttentionBackend() {
        @Override
        public String getName() {
            return "offheap-scalar";
        }

        @Override
        public boolean supports(int headSize, GgmlType kvDtype) {
            return kvDtype == GgmlType.F32;
        }

        @Override
        public KvPool allocate(KvPoolSpec spec) {
            if (!supports(spec.headDim(), spec.dtype())) {
                throw new IllegalArgumentException(getName() + " does not run " + spec);
            }
            return new OffHeapKvPool(spec);
        }
    });

    @Override
    public String name() {
        return "offheap-test";
    }

    @Override
    public boolean isAvailable() {
        return true;
    }

    @Override
    public int priority() {
        return -1;
    }

    @Override
    public PlatformCapabilities capabilities() {
        return CAPABILITIES;
    }

    @Override
    public MemoryInfo memoryInfo() {
        long max = Runtime.getRuntime().maxMemory();
        return new MemoryInfo(max, max);
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
