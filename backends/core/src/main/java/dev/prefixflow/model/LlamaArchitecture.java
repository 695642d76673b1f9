package dev.prefixflow.model;

import dev.prefixflow.gguf.GgufFile;
import dev.prefixflow.platform.Platform;
import dev.prefixflow.platform.Weight;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Llama: adjacent-pair RoPE, no attention biases, output tied to the embedding when output.weight is absent. */
public final class LlamaArchitecture implements Architecture {

    @Override
    public String name() {
        return "llama";
    }

    @Override
    public Model load(GgufFile file, int vocabSize, Platform platform) throws IOException {
        ModelConfig c = ModelConfig.read(file, vocabSize, false);
        WeightLoader w = new WeightLoader(file, platform);
        Weight embedding = w.matrix("token_embd.weight", c.dim(), vocabSize);
        List<LayerWeights> layers = new ArrayList<>();
        for (int l = 0; l < c.layers(); l++) {
            String p = "blk." + l + ".";
            layers.add(new LayerWeights(
                    w.vector(p + "attn_norm.weight", c.dim()),
                    w.matrix(p + "attn_q.weight", c.dim(), c.qDim()),
                    w.matrix(p + "attn_k.weight", c.dim(), c.kvDim()),
                    w.matrix(p + "attn_v.weight", c.dim(), c.kvDim()),
                    w.matrix(p + "attn_output.weight", c.qDim(), c.dim()),
                    null, null, null,
                    w.vector(p + "ffn_norm.weight", c.dim()),
                    w.matrix(p + "ffn_gate.weight", c.dim(), c.ffnDim()),
                    w.matrix(p + "ffn_up.weight", c.dim(), c.ffnDim()),
                    w.matrix(p + "ffn_down.weight", c.ffnDim(), c.dim())));
        }
        float[] outputNorm = w.vector("output_norm.weight", c.dim());
        Weight output = w.has("output.weight") ? w.matrix("output.weight", c.dim(), vocabSize) : embedding;
        return new TransformerModel(c, platform.kernels(), platform.layerHook(), embedding, layers, outputNorm, output);
    }
}
