package dev.prefixflow.benchmarks;

import dev.prefixflow.gguf.GgmlType;
import dev.prefixflow.gguf.GgufFile;
import dev.prefixflow.gguf.TensorInfo;
import java.util.EnumMap;
import java.util.Map;

/**
 * What one token costs a forward pass, from the file's weights: the bytes a single-token forward
 * must read, in the file's encoding (every layer matrix and the output matrix, the embedding when
 * output.weight is absent, plus the one embedding row the token looks up; norm vectors are too
 * small to count), and the multiply-adds of the matmuls with those matrices. Attention's own
 * multiply-adds (scores and weighted values) are left out: they grow with the context, and for a
 * 1B Llama at the bench's default lengths come to a few percent of the matmuls'.
 *
 * @param bytesPerToken weight bytes read per decode token
 * @param mainType the weight type holding most of those bytes
 * @param layerMacsPerToken multiply-adds per token of the layer matrices
 * @param outputMacsPerToken multiply-adds of the output matrix, for each token whose logits are wanted
 */
public record TokenCost(long bytesPerToken, GgmlType mainType, long layerMacsPerToken, long outputMacsPerToken) {

    static final String EMBEDDING = "token_embd.weight";
    static final String OUTPUT = "output.weight";

    public static TokenCost of(GgufFile file) {
        Map<GgmlType, Long> byType = new EnumMap<>(GgmlType.class);
        long layerMacs = 0;
        for (TensorInfo t : file.tensors().values()) {
            if (t.dims().length == 2 && !t.name().equals(EMBEDDING)) {
                byType.merge(t.type(), t.byteSize(), Long::sum);
                if (!t.name().equals(OUTPUT)) {
                    layerMacs += t.elements();
                }
            }
        }
        TensorInfo embedding = file.tensor(EMBEDDING);
        if (embedding == null) {
            throw new IllegalArgumentException(file.path() + " has no " + EMBEDDING);
        }
        TensorInfo output = file.tensor(OUTPUT);
        long embeddingRow = embedding.byteSize() / embedding.dims()[1];
        byType.merge(embedding.type(), output == null ? embedding.byteSize() + embeddingRow : embeddingRow, Long::sum);
        long total = byType.values().stream().mapToLong(Long::longValue).sum();
        GgmlType main = byType.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        return new TokenCost(total, main, layerMacs, (output == null ? embedding : output).elements());
    }

    /**
     * FLOPs per prompt token of a prefill in one forward call: every token through the layers, the
     * output matrix for the last token only.
     */
    public double prefillFlopsPerToken(int promptTokens) {
        return 2.0 * layerMacsPerToken + 2.0 * outputMacsPerToken / promptTokens;
    }

    /** FLOPs of one decode token, which needs its logits. */
    public double decodeFlopsPerToken() {
        return 2.0 * (layerMacsPerToken + outputMacsPerToken);
    }
}
