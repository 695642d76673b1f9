package dev.prefixflow.model;

import dev.prefixflow.gguf.GgufFile;
import dev.prefixflow.platform.LayerAttention;
import java.io.IOException;
import java.util.Collections;

/**
 * Phi-3: NEOX RoPE, q, k and v in one fused {@code attn_qkv} matrix and gate and up in one {@code
 * ffn_up} (gate rows first), split at load into the usual three and two matrices. Its {@code
 * attention.sliding_window} applies to every layer, as in the model's own definition (llama.cpp turns
 * it off; the two agree on any prompt shorter than the window, 2047 in Phi-3-mini-4k files).
 */
public final class Phi3Architecture extends LlamaFamilyArchitecture {

    public Phi3Architecture() {
        super("phi3", true, false, false, false);
    }

    @Override
    BlockStyle style(GgufFile file, ModelConfig c) throws IOException {
        int window = Math.max(0, file.getInt("phi3.attention.sliding_window", 0));
        BlockStyle llama = BlockStyle.llama(c);
        LayerAttention a = new LayerAttention(llama.attention().get(0).scale(), window, 0f);
        return new BlockStyle(1f, BlockStyle.Activation.SILU, 0f, Collections.nCopies(c.layers(), a),
                llama.ropeBases());
    }

    @Override
    LayerWeights layer(WeightLoader w, ModelConfig c, String p) throws IOException {
        WeightLoader.Fused qkv = w.fused(p + "attn_qkv.weight", c.dim(), c.qDim(), c.kvDim(), c.kvDim());
        WeightLoader.Fused gateUp = w.fused(p + "ffn_up.weight", c.dim(), c.ffnDim(), c.ffnDim());
        return new LayerWeights(
                w.vector(p + "attn_norm.weight", c.dim()),
                qkv.part(0), qkv.part(1), qkv.part(2),
                w.matrix(p + "attn_output.weight", c.qDim(), c.dim()),
                null, null, null, null, null, null,
                w.vector(p + "ffn_norm.weight", c.dim()),
                gateUp.part(0), gateUp.part(1),
                w.matrix(p + "ffn_down.weight", c.ffnDim(), c.dim()),
                null);
    }
}
