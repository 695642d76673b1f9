package dev.prefixflow.model;

import dev.prefixflow.lora.LoraBatch;
import dev.prefixflow.lora.LoraTarget;
import dev.prefixflow.platform.Kernels;
import dev.prefixflow.platform.KvPool;
import dev.prefixflow.platform.LayerHook;
import dev.prefixflow.platform.Weight;
import java.util.List;

/**
 * The decoder-only transformer forward pass shared by the Llama family: RMSNorm, attention with RoPE
 * and grouped-query heads over the paged KV pool, SwiGLU feed-forward, residuals. Every step runs all
 * tokens of the batch together, so each weight matrix is read once per call.
 */
public final class TransformerModel implements Model {
    private final ModelConfig config;
    private final Kernels kernels;
    private final LayerHook hook;
    private final Weight tokenEmbedding;
    private final List<LayerWeights> layers;
    private final float[] outputNorm;
    private final Weight output;
    private final RopeTable rope;

    public TransformerModel(ModelConfig config, Kernels kernels, LayerHook hook, Weight tokenEmbedding,
                            List<LayerWeights> layers, float[] outputNorm, Weight output, RopeTable rope) {
        this.config = config;
        this.kernels = kernels;
        this.hook = hook;
        this.tokenEmbedding = tokenEmbedding;
        this.layers = List.copyOf(layers);
        this.outputNorm = outputNorm;
        this.output = output;
        this.rope = rope;
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    @Override
    public float[][] forward(ForwardBatch batch, KvPool pool) {
        ModelConfig c = config;
        int n = batch.totalTokens();
        int[] positions = new int[n];
        int[] slots = new int[n];
        float[] x = new float[n * c.dim()];
        int row = 0;
        for (SequenceChunk s : batch.sequences()) {
            for (int i = 0; i < s.length(); i++, row++) {
                int token = s.tokens()[i];
                if (token < 0 || token >= c.vocabSize()) {
                    throw new IllegalArgumentException("token id " + token + " is outside the vocabulary (0.."
                            + (c.vocabSize() - 1) + ")");
                }
                int position = s.firstPosition() + i;
                if (position >= c.contextLength()) {
                    throw new IllegalArgumentException("position " + position + " is beyond the context length "
                            + c.contextLength());
                }
                positions[row] = position;
                slots[row] = s.slots()[i];
                kernels.dequantizeRow(tokenEmbedding, token, x, row * c.dim());
            }
        }

        float[] normed = new float[n * c.dim()];
        float[] q = new float[n * c.qDim()];
        float[] k = new float[n * c.kvDim()];
        float[] v = new float[n * c.kvDim()];
        float[] attention = new float[n * c.qDim()];
        float[] projected = new float[n * c.dim()];
        float[] gate = new float[n * c.ffnDim()];
        float[] up = new float[n * c.ffnDim()];
        float scale = (float) (1.0 / Math.sqrt(c.headDim()));
        LoraBatch lora = LoraBatch.of(batch, kernels);

        for (int l = 0; l < layers.size(); l++) {
            LayerWeights w = layers.get(l);
            kernels.rmsNorm(x, w.attnNorm(), normed, n, c.dim(), c.rmsEps());
            kernels.matmul(w.wq(), normed, q, n);
            lora.apply(l, LoraTarget.Q, normed, q);
            kernels.matmul(w.wk(), normed, k, n);
            lora.apply(l, LoraTarget.K, normed, k);
            kernels.matmul(w.wv(), normed, v, n);
            lora.apply(l, LoraTarget.V, normed, v);
            addBias(q, w.qBias(), n);
            addBias(k, w.kBias(), n);
            addBias(v, w.vBias(), n);
            kernels.rope(q, n, c.heads(), c.headDim(), c.ropeDims(), positions, 0, rope.cos(), rope.sin(),
                    c.neoxRope());
            kernels.rope(k, n, c.kvHeads(), c.headDim(), c.ropeDims(), positions, 0, rope.cos(), rope.sin(),
                    c.neoxRope());
            pool.write(l, k, v, 0, n, slots, 0);
            int start = 0;
            for (SequenceChunk s : batch.sequences()) {
                pool.attend(l, q, attention, start, s.length(), c.heads(), s.firstPosition(), s.blockTable(), scale);
                start += s.length();
            }
            kernels.matmul(w.wo(), attention, projected, n);
            lora.apply(l, LoraTarget.ATTN_OUTPUT, attention, projected);
            kernels.add(x, projected, n * c.dim());

            kernels.rmsNorm(x, w.ffnNorm(), normed, n, c.dim(), c.rmsEps());
            kernels.matmul(w.gate(), normed, gate, n);
            lora.apply(l, LoraTarget.GATE, normed, gate);
            kernels.matmul(w.up(), normed, up, n);
            lora.apply(l, LoraTarget.UP, normed, up);
            kernels.swiglu(gate, up, n * c.ffnDim());
            kernels.matmul(w.down(), gate, projected, n);
            lora.apply(l, LoraTarget.DOWN, gate, projected);
            kernels.add(x, projected, n * c.dim());
            hook.afterLayer(l);
        }
        return logits(batch, x);
    }

    /** Final norm and output projection, only for the last token of sequences that want logits. */
    private float[][] logits(ForwardBatch batch, float[] x) {
        int dim = config.dim();
        List<SequenceChunk> seqs = batch.sequences();
        int wanted = 0;
        for (SequenceChunk s : seqs) {
            wanted += s.wantsLogits() ? 1 : 0;
        }
        float[][] result = new float[seqs.size()][];
        if (wanted == 0) {
            return result;
        }
        float[] last = new float[wanted * dim];
        int row = 0;
        int end = 0;
        for (SequenceChunk s : seqs) {
            end += s.length();
            if (s.wantsLogits()) {
                System.arraycopy(x, (end - 1) * dim, last, row++ * dim, dim);
            }
        }
        float[] normed = new float[wanted * dim];
        kernels.rmsNorm(last, outputNorm, normed, wanted, dim, config.rmsEps());
        float[] all = new float[wanted * config.vocabSize()];
        kernels.matmul(output, normed, all, wanted);
        row = 0;
        for (int i = 0; i < seqs.size(); i++) {
            if (seqs.get(i).wantsLogits()) {
                float[] l = new float[config.vocabSize()];
                System.arraycopy(all, row++ * config.vocabSize(), l, 0, l.length);
                result[i] = l;
            }
        }
        return result;
    }

    private static void addBias(float[] rows, float[] bias, int n) {
        if (bias == null) {
            return;
        }
        for (int t = 0; t < n; t++) {
            int base = t * bias.length;
            for (int i = 0; i < bias.length; i++) {
                rows[base + i] += bias[i];
            }
        }
    }
}
