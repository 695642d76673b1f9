package dev.prefixflow.engine.block;

/** A cached block picked for reuse: its id, its hash, and the number of tokens in its prefix. */
public record EvictedBlock(int blockId, BlockHash hash, int prefixTokens) {}
