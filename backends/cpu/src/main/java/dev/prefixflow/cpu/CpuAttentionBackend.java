package dev.prefixflow.cpu;

import dev.prefixflow.gguf.GgmlType;
import dev.prefixflow.platform.AttentionBackend;
import dev.prefixflow.platform.KvPool;
import dev.prefixflow.platform.KvPoolSpec;

/** Paged attention on the CPU over float32 K/V in heap arrays. */
public final class CpuAttentionBackend implements AttentionBackend {

    private final CpuThreadPool pool;

    CpuAttentionBackend(CpuThreadPool pool) {
        this.pool = pool;
    }

    @Override
    public String getName() {
        return "cpu-paged";
    }

    /** Any head size; float32 K/V only. */
    @Override
    public boolean supports(int headSize, GgmlType kvDtype) {
        return headSize > 0 && kvDtype == GgmlType.F32;
    }

    @Override
    public KvPool allocate(KvPoolSpec spec) {
        if (!supports(spec.headDim(), spec.dtype())) {
            throw new IllegalArgumentException(getName() + " does not run " + spec);
        }
        return new CpuKvPool(spec, pool);
    }
}
