package dev.prefixflow.platform;

/** Memory a platform can give to weights and the KV pool, as the platform itself reports it. */
public record MemoryInfo(long totalBytes, long availableBytes) {
}
