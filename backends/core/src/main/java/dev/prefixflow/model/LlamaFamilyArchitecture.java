package dev.prefixflow.model;

import dev.prefixflow.gguf.GgufFile;
import dev.prefixflow.platform.Kernels;
import dev.prefixflow.platform.Platform;
import dev.prefixflow.platform.Tensor;
import dev.prefixflow.platform.Weight;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The architectures that {@link TransformerModel} runs, which differ only in a few options: the
 * tensor names and the loading loop are shared. The output is tied to the token embedding when
 * {@code output.weight} is absent; a {@code rope_freqs.weight} tensor (Llama 3.1+) divides each
 * RoPE pair's frequency.
 */
abstract class LlamaFamilyArchitecture implements Architecture {
    private static final String ROPE_FREQS = "rope_freqs.weight";

    private final String name;
    private final boolean neoxRope;
    private final boolean qkvBiases;

    /**
     * @param neoxRope whether RoPE pairs dimension i with i + ropeDims/2 (else adjacent pairs)
     * @param qkvBiases whether the q, k and v projections have (F32) biases
     */
    LlamaFamilyArchitecture(String name, boolean neoxRope, boolean qkvBiases) {
        this.name = name;
        this.neoxRope = neoxRope;
        this.qkvBiases = qkvBiases;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final Model load(GgufFile file, int vocabSize, Platform platform) throws IOException {
        ModelConfig c = ModelConfig.read(file, vocabSize, neoxRope);
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
                    bias(w, p + "attn_q.bias", c.qDim()),
                    bias(w, p + "attn_k.bias", c.kvDim()),
                    bias(w, p + "attn_v.bias", c.kvDim()),
                    w.vector(p + "ffn_norm.weight", c.dim()),
                    w.matrix(p + "ffn_gate.weight", c.dim(), c.ffnDim()),
                    w.matrix(p + "ffn_up.weight", c.dim(), c.ffnDim()),
                    w.matrix(p + "ffn_down.weight", c.ffnDim(), c.dim())));
        }
        Tensor outputNorm = w.vector("output_norm.weight", c.dim());
        Weight output = w.has("output.weight") ? w.matrix("output.weight", c.dim(), vocabSize) : embedding;
        float[] freqFactors = w.has(ROPE_FREQS) ? w.hostVector(ROPE_FREQS, c.ropeDims() / 2) : null;
        RopeTable rope = new RopeTable(c.contextLength(), c.ropeDims(), c.ropeBase(), freqFactors);
        Kernels kernels = platform.kernels();
        int pairs = c.ropeDims() / 2;
        return new TransformerModel(c, kernels, platform.layerHook(), embedding, layers, outputNorm, output,
                kernels.copyIn(rope.cos(), c.contextLength(), pairs),
                kernels.copyIn(rope.sin(), c.contextLength(), pairs));
    }

    private Tensor bias(WeightLoader w, String name, int size) throws IOException {
        return qkvBiases ? w.vector(name, size) : null;
    }
}
