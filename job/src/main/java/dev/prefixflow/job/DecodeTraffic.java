package dev.prefixflow.job;

import dev.prefixflow.gguf.GgmlType;
import dev.prefixflow.gguf.GgufFile;
import dev.prefixflow.gguf.TensorInfo;
import java.util.EnumMap;
import java.util.Map;

/**
 * The weight bytes one single-token forward must read, in the file's encoding: every layer matrix
 * and the output matrix (the embedding when output.weight is absent), plus the one embedding row
 * the token looks up. Norm vectors are too small to count.
 *
 * @param bytesPerToken weight bytes read per decode token
 * @param mainType the weight type holding most of those bytes
 */
record DecodeTraffic(long bytesPerToken, GgmlType mainType) {

    static final String EMBEDDING = "token_embd.weight";
    static final String OUTPUT = "output.weight";

    static DecodeTraffic of(GgufFile file) {
        Map<GgmlType, Long> byType = new EnumMap<>(GgmlType.class);
        for (TensorInfo t : file.tensors().values()) {
            if (t.dims().length == 2 && !t.name().equals(EMBEDDING)) {
                byType.merge(t.type(), t.byteSize(), Long::sum);
            }
        }
        TensorInfo embedding = file.tensor(EMBEDDING);
        if (embedding == null) {
            throw new IllegalArgumentException(file.path() + " has no " + EMBEDDING);
        }
        long embeddingRow = embedding.byteSize() / embedding.dims()[1];
        byType.merge(embedding.type(), file.tensor(OUTPUT) == null ? embedding.byteSize() + embeddingRow : embeddingRow,
                Long::sum);
        long total = byType.values().stream().mapToLong(Long::longValue).sum();
        GgmlType main = byType.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        return new DecodeTraffic(total, main);
    }
}
