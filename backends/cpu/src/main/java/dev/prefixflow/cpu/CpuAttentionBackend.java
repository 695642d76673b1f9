package dev.prefixflow.cpu;

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

    @Override
    public KvPool allocate(KvPoolSpec spec) {
        return new CpuKvPool(spec, pool);
    }
}
