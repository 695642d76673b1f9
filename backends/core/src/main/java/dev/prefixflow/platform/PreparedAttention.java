package dev.prefixflow.platform;

/**
 * A step's {@link AttentionMetadata} as a KV pool keeps it in the platform's memory, made by {@link
 * KvPool#prepare} and read by every layer's attention in that step. Opaque: only that pool reads it.
 */
public interface PreparedAttention {
    int numSequences();

    int numTokens();
}
