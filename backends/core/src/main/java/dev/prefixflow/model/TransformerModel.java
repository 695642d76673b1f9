package dev.prefixflow.model;

import dev.prefixflow.lora.LoraBatch;
import dev.prefixflow.lora.LoraTarget;
import dev.prefixflow.platform.IntTensor;
import dev.prefixflow.platform.Kernels;
import dev.prefixflow.platform.KvPool;
import dev.prefixflow.platform.LayerHook;
import dev.prefixflow.platform.PreparedAttention;
import dev.prefixflow.platform.Tensor;
import dev.prefixflow.platform.Weight;
import java.util.List;

/**
 * The decoder-only transformer forward pass shared by the Llama family: RMSNorm, attention with RoPE
 * and grouped-query heads over the paged KV pool, gated feed-forward, residuals; with the options of
 * {@link BlockStyle} it also runs Qwen3, Gemma 2/3 and Phi-3 (q/k norms, post-norms, GeGLU, sliding
 * windows, soft-caps, scaled embeddings). Every step runs all
 * tokens of the batch together, so each weight matrix is read once per call. Written against the
 * platform's tensors only: a step copies its token ids, positions, attention metadata and logit rows
 * in, and the wanted logits out; activations never leave the platform.
 */
public final class TransformerModel implements Model {
    private final ModelConfig config;
    private final BlockStyle style;
    private final Kernels kernels;
    private final LayerHook hook;
    private final Weight tokenEmbedding;
    private final List<LayerWeights> layers;
    private final Tensor outputNorm;
    private final Weight output;
    private final List<Rope> rope;

    /** A RoPE table ({@link RopeTable}) on the platform, one row per position. */
    public record Rope(Tensor cos, Tensor sin) {
    }

    /** @param rope each layer's RoPE table (layers with the same base share one) */
    public TransformerModel(ModelConfig config, BlockStyle style, Kernels kernels, LayerHook hook,
                            Weight tokenEmbedding, List<LayerWeights> layers, Tensor outputNorm, Weight output,
                            List<Rope> rope) {
        this.config = config;
        this.style = style;
        this.kernels = kernels;
        this.hook = hook;
        this.tokenEmbedding = tokenEmbedding;
        this.layers = List.copyOf(layers);
        this.outputNorm = outputNorm;
        this.output = output;
        this.rope = List.copyOf(rope);
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    @Override
    public int attentionWindow() {
        return style.maxWindow();
    }

    /** The options this model's architecture runs with (attention windows among them). */
    public BlockStyle style() {
        return style;
    }

    @Override
    public float[][] forward(ForwardBatch batch, KvPool pool) {
        ModelConfig c = config;
        StepInputs in = StepInputs.of(batch, c, style.maxWindow(), pool.spec().blockSize());
        int n = in.numTokens();
        IntTensor positions = kernels.copyIn(in.positions());
        PreparedAttention attention = pool.prepare(in.attention());
        Tensor x = kernels.allocate(n, c.dim());
        kernels.embed(tokenEmbedding, kernels.copyIn(in.tokenIds()), x);
        if (style.embeddingScale() != 1f) {
            kernels.scale(x, style.embeddingScale());
        }

        Tensor normed = kernels.allocate(n, c.dim());
        Tensor q = kernels.allocate(n, c.qDim());
        Tensor k = kernels.allocate(n, c.kvDim());
        Tensor v = kernels.allocate(n, c.kvDim());
        Tensor attended = kernels.allocate(n, c.qDim());
        Tensor projected = kernels.allocate(n, c.dim());
        Tensor gate = kernels.allocate(n, c.ffnDim());
        Tensor up = kernels.allocate(n, c.ffnDim());
        LoraBatch lora = LoraBatch.of(batch, kernels);

        for (int l = 0; l < layers.size(); l++) {
            LayerWeights w = layers.get(l);
            kernels.rmsNorm(x, w.attnNorm(), normed, c.rmsEps());
            kernels.matmul(w.wq(), normed, q);
            lora.apply(l, LoraTarget.Q, normed, q);
            kernels.matmul(w.wk(), normed, k);
            lora.apply(l, LoraTarget.K, normed, k);
            kernels.matmul(w.wv(), normed, v);
            lora.apply(l, LoraTarget.V, normed, v);
            addBias(q, w.qBias());
            addBias(k, w.kBias());
            addBias(v, w.vBias());
            if (w.qNorm() != null) {
                kernels.rmsNormHeads(q, w.qNorm(), c.headDim(), c.rmsEps());
                kernels.rmsNormHeads(k, w.kNorm(), c.headDim(), c.rmsEps());
            }
            Rope r = rope.get(l);
            kernels.rope(q, c.heads(), c.headDim(), c.ropeDims(), positions, r.cos(), r.sin(), c.neoxRope());
            kernels.rope(k, c.kvHeads(), c.headDim(), c.ropeDims(), positions, r.cos(), r.sin(), c.neoxRope());
            pool.write(l, k, v, attention);
            pool.attend(l, q, attended, c.heads(), style.attention().get(l), attention);
            kernels.matmul(w.wo(), attended, projected);
            lora.apply(l, LoraTarget.ATTN_OUTPUT, attended, projected);
            addResidual(x, projected, w.postAttnNorm(), normed);

            kernels.rmsNorm(x, w.ffnNorm(), normed, c.rmsEps());
            kernels.matmul(w.gate(), normed, gate);
            lora.apply(l, LoraTarget.GATE, normed, gate);
            kernels.matmul(w.up(), normed, up);
            lora.apply(l, LoraTarget.UP, normed, up);
            if (style.activation() == BlockStyle.Activation.GELU_TANH) {
                kernels.geglu(gate, up);
            } else {
                kernels.swiglu(gate, up);
            }
            kernels.matmul(w.down(), gate, projected);
            lora.apply(l, LoraTarget.DOWN, gate, projected);
            addResidual(x, projected, w.postFfnNorm(), normed);
            hook.afterLayer(l);
        }
        return logits(batch, in, x);
    }

    /** Final norm and output projection, only for the last token of sequences that want logits. */
    private float[][] logits(ForwardBatch batch, StepInputs in, Tensor x) {
        List<SequenceChunk> seqs = batch.sequences();
        float[][] result = new float[seqs.size()][];
        int wanted = in.logitRows().length;
        if (wanted == 0) {
            return result;
        }
        Tensor last = kernels.allocate(wanted, config.dim());
        kernels.gatherRows(x, kernels.copyIn(in.logitRows()), last);
        Tensor normed = kernels.allocate(wanted, config.dim());
        kernels.rmsNorm(last, outputNorm, normed, config.rmsEps());
        Tensor all = kernels.allocate(wanted, config.vocabSize());
        kernels.matmul(output, normed, all);
        if (style.finalSoftcap() > 0) {
            kernels.softcap(all, style.finalSoftcap());
        }
        int row = 0;
        for (int i = 0; i < seqs.size(); i++) {
            if (seqs.get(i).wantsLogits()) {
                result[i] = new float[config.vocabSize()];
                kernels.copyOut(all, row++, result[i]);
            }
        }
        return result;
    }

    /** x += out, or x += rmsNorm(out) where the block norms its outputs (into {@code scratch}). */
    private void addResidual(Tensor x, Tensor out, Tensor postNorm, Tensor scratch) {
        if (postNorm == null) {
            kernels.add(x, out);
        } else {
            kernels.rmsNorm(out, postNorm, scratch, config.rmsEps());
            kernels.add(x, scratch);
        }
    }

    private void addBias(Tensor rows, Tensor bias) {
        if (bias != null) {
            kernels.addBias(rows, bias);
        }
    }
}
