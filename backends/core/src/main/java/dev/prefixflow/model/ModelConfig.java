package dev.prefixflow.model;

import dev.prefixflow.gguf.GgmlType;
import dev.prefixflow.gguf.GgufFile;
import dev.prefixflow.gguf.GgufFormatException;
import dev.prefixflow.platform.AttentionBackend;
import dev.prefixflow.platform.KvPoolSpec;
import dev.prefixflow.platform.Platform;

/**
 * Hyperparameters of a decoder-only transformer, read from GGUF metadata ({@code ARCH.*} keys).
 *
 * @param ropeDims dimensions of each head that RoPE rotates (the whole head unless the file says)
 * @param neoxRope whether RoPE pairs dimension i with i + ropeDims/2 (else adjacent pairs)
 */
public record ModelConfig(String architecture, int dim, int layers, int heads, int kvHeads, int headDim,
                          int ffnDim, int vocabSize, int contextLength, float rmsEps, float ropeBase,
                          int ropeDims, boolean neoxRope) {

    public int qDim() {
        return heads * headDim;
    }

    public int kvDim() {
        return kvHeads * headDim;
    }

    /** The dtype of this model's KV cache (float32 for every model today). */
    public GgmlType kvCacheDtype() {
        return KvPoolSpec.F32_CACHE;
    }

    /** The attention backend {@code platform} picks for this model's head size and KV cache dtype. */
    public AttentionBackend attentionBackend(Platform platform) {
        return platform.attentionBackend(headDim, kvCacheDtype());
    }

    /** Reads the hyperparameters of a Llama-family file; {@code neoxRope} comes from the architecture. */
    public static ModelConfig read(GgufFile file, int vocabSize, boolean neoxRope) throws GgufFormatException {
        String arch = file.getString("general.architecture");
        int dim = required(file, arch + ".embedding_length");
        int layers = required(file, arch + ".block_count");
        int heads = required(file, arch + ".attention.head_count");
        int kvHeads = file.getInt(arch + ".attention.head_count_kv", heads);
        int ffn = required(file, arch + ".feed_forward_length");
        int context = required(file, arch + ".context_length");
        if (dim % heads != 0) {
            throw new GgufFormatException(file.path(), file.offset(arch + ".embedding_length"), arch + ".embedding_length",
                    "embedding length " + dim + " is not a multiple of the head count " + heads);
        }
        if (heads % kvHeads != 0) {
            throw new GgufFormatException(file.path(), file.offset(arch + ".attention.head_count_kv"), arch + ".attention.head_count_kv",
                    "head count " + heads + " is not a multiple of the KV head count " + kvHeads);
        }
        int headDim = file.getInt(arch + ".attention.key_length", dim / heads);
        int ropeDims = file.getInt(arch + ".rope.dimension_count", headDim);
        if (ropeDims <= 0 || ropeDims > headDim || ropeDims % 2 != 0) {
            throw new GgufFormatException(file.path(), file.offset(arch + ".rope.dimension_count"), arch + ".rope.dimension_count",
                    "expected an even count in 2.." + headDim + ", got " + ropeDims);
        }
        float eps = file.getFloat(arch + ".attention.layer_norm_rms_epsilon", 1e-5f);
        float ropeBase = file.getFloat(arch + ".rope.freq_base", 10000f);
        return new ModelConfig(arch, dim, layers, heads, kvHeads, headDim, ffn, vocabSize, context, eps, ropeBase,
                ropeDims, neoxRope);
    }

    private static int required(GgufFile file, String key) throws GgufFormatException {
        int v = file.getInt(key, -1);
        if (v <= 0) {
            throw new GgufFormatException(file.path(), file.offset(key), key,
                    v == -1 ? "the key is missing" : "expected a positive integer, got " + v);
        }
        return v;
    }
}
