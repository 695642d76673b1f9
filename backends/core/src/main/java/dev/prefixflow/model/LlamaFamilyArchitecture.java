package dev.prefixflow.model;

import dev.prefixflow.gguf.GgufFile;
import dev.prefixflow.platform.Kernels;
import dev.prefixflow.platform.Platform;
import dev.prefixflow.platform.Tensor;
import dev.prefixflow.platform.Weight;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The architectures that {@link TransformerModel} runs, which differ in a few options: the tensor
 * names and the loading loop are shared, and a subclass changes what its family changes ({@link
 * #style}, {@link #layer}). The output is tied to the token embedding when {@code output.weight} is
 * absent; a {@code rope_freqs.weight} tensor (Llama 3.1+) divides each RoPE pair's frequency.
 */
abstract class LlamaFamilyArchitecture implements Architecture {
    private static final String ROPE_FREQS = "rope_freqs.weight";

    private final String name;
    private final boolean neoxRope;
    private final boolean qkvBiases;
    private final boolean qkNorms;
    private final boolean postNorms;

    /**
     * @param neoxRope whether RoPE pairs dimension i with i + ropeDims/2 (else adjacent pairs)
     * @param qkvBiases whether the q, k and v projections have (F32) biases
     * @param qkNorms whether q and k get a per-head RMSNorm before RoPE (attn_q_norm, attn_k_norm)
     * @param postNorms whether the attention and feed-forward outputs are normed before their residual add
     *     (post_attention_norm, post_ffw_norm)
     */
    LlamaFamilyArchitecture(String name, boolean neoxRope, boolean qkvBiases, boolean qkNorms, boolean postNorms) {
        this.name = name;
        this.neoxRope = neoxRope;
        this.qkvBiases = qkvBiases;
        this.qkNorms = qkNorms;
        this.postNorms = postNorms;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final Model load(GgufFile file, int vocabSize, Platform platform) throws IOException {
        ModelConfig c = ModelConfig.read(file, vocabSize, neoxRope);
        BlockStyle style = style(file, c);
        if (style.slidingWindow() && !platform.capabilities().slidingWindow()) {
            throw new IllegalArgumentException(name + " model " + file.path() + " needs sliding-window attention, "
                    + "which platform '" + platform.name() + "' does not declare");
        }
        WeightLoader w = new WeightLoader(file, platform);
        Weight embedding = w.matrix("token_embd.weight", c.dim(), vocabSize);
        List<LayerWeights> layers = new ArrayList<>();
        for (int l = 0; l < c.layers(); l++) {
            layers.add(layer(w, c, "blk." + l + "."));
        }
        Tensor outputNorm = w.vector("output_norm.weight", c.dim());
        Weight output = w.has("output.weight") ? w.matrix("output.weight", c.dim(), vocabSize) : embedding;
        float[] freqFactors = w.has(ROPE_FREQS) ? w.hostVector(ROPE_FREQS, c.ropeDims() / 2) : null;
        Kernels kernels = platform.kernels();
        // One table per distinct base, shared by the layers that use it.
        Map<Float, TransformerModel.Rope> tables = new HashMap<>();
        List<TransformerModel.Rope> rope = new ArrayList<>();
        for (float base : style.ropeBases()) {
            rope.add(tables.computeIfAbsent(base, b -> {
                RopeTable t = new RopeTable(c.contextLength(), c.ropeDims(), b, freqFactors);
                int pairs = c.ropeDims() / 2;
                return new TransformerModel.Rope(kernels.copyIn(t.cos(), c.contextLength(), pairs),
                        kernels.copyIn(t.sin(), c.contextLength(), pairs));
            }));
        }
        return new TransformerModel(c, style, kernels, platform.layerHook(), embedding, layers, outputNorm, output,
                rope);
    }

    /** This family's options; Llama's by default. */
    BlockStyle style(GgufFile file, ModelConfig c) throws IOException {
        return BlockStyle.llama(c);
    }

    /** One block's weights under the usual tensor names, with the biases and norms this family has. */
    LayerWeights layer(WeightLoader w, ModelConfig c, String p) throws IOException {
        return new LayerWeights(
                w.vector(p + "attn_norm.weight", c.dim()),
                w.matrix(p + "attn_q.weight", c.dim(), c.qDim()),
                w.matrix(p + "attn_k.weight", c.dim(), c.kvDim()),
                w.matrix(p + "attn_v.weight", c.dim(), c.kvDim()),
                w.matrix(p + "attn_output.weight", c.qDim(), c.dim()),
                bias(w, p + "attn_q.bias", c.qDim()),
                bias(w, p + "attn_k.bias", c.kvDim()),
                bias(w, p + "attn_v.bias", c.kvDim()),
                qkNorm(w, p + "attn_q_norm.weight", c.headDim()),
                qkNorm(w, p + "attn_k_norm.weight", c.headDim()),
                postNorm(w, p + "post_attention_norm.weight", c.dim()),
                w.vector(p + "ffn_norm.weight", c.dim()),
                w.matrix(p + "ffn_gate.weight", c.dim(), c.ffnDim()),
                w.matrix(p + "ffn_up.weight", c.dim(), c.ffnDim()),
                w.matrix(p + "ffn_down.weight", c.ffnDim(), c.dim()),
                postNorm(w, p + "post_ffw_norm.weight", c.dim()));
    }

    Tensor bias(WeightLoader w, String name, int size) throws IOException {
        return qkvBiases ? w.vector(name, size) : null;
    }

    Tensor qkNorm(WeightLoader w, String name, int size) throws IOException {
        return qkNorms ? w.vector(name, size) : null;
    }

    Tensor postNorm(WeightLoader w, String name, int size) throws IOException {
        return postNorms ? w.vector(name, size) : null;
    }
}
