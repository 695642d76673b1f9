package dev.prefixflow.model;

import java.util.List;

/** The sequences of one batched forward call (the batched forward contract of ARCHITECTURE.md). */
public record ForwardBatch(List<SequenceChunk> sequences) {

    public ForwardBatch {
        sequences = List.copyOf(sequences);
    }

    public int totalTokens() {
        int n = 0;
        for (SequenceChunk s : sequences) {
            n += s.length();
        }
        return n;
    }
}
