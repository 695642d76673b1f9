package dev.prefixflow.platform;

/** One way of computing attention over a paged KV pool (vLLM's attention backend), named. */
public interface AttentionBackend {

    /** A stable name, e.g. for logs and for choosing a backend in configuration. */
    String getName();

    /** Allocates a KV pool this backend reads. */
    KvPool allocate(KvPoolSpec spec);
}
