package dev.prefixflow.platform;

import dev.prefixflow.gguf.GgmlType;

/** One way of computing attention over a paged KV pool (vLLM's attention backend), named. */
public interface AttentionBackend {

    /** A stable name, e.g. for logs and for choosing a backend in configuration. */
    String getName();

    /** Whether it runs heads of {@code headSize} values with a KV cache of {@code kvDtype}. */
    boolean supports(int headSize, GgmlType kvDtype);

    /** Allocates a KV pool this backend reads; a spec it does not {@link #supports support} is an error. */
    KvPool allocate(KvPoolSpec spec);
}
