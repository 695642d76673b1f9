package dev.prefixflow.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prefixflow.gguf.GgmlType;
import dev.prefixflow.gguf.GgufFile;
import dev.prefixflow.gguf.GgufWriter;
import dev.prefixflow.model.ForwardBatch;
import dev.prefixflow.model.Model;
import dev.prefixflow.model.ModelConfig;
import dev.prefixflow.model.ModelLoader;
import dev.prefixflow.model.SequenceChunk;
import dev.prefixflow.platform.KvPool;
import dev.prefixflow.platform.KvPoolSpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Llama 3.1's {@code rope_freqs.weight} on a tiny one-layer Llama written here: factors divide pair
 * i's angle, theta_i = pos * base^(-2i/d) / factor_i. Factors c^(2i/d) therefore turn base B into
 * B * c exactly, which pins both the division and which pair each factor belongs to.
 */
class RopeFrequencyFactorsTest {
    static final int DIM = 64;
    static final int HEADS = 4;
    static final int KV_HEADS = 2;
    static final int HEAD_DIM = DIM / HEADS;
    static final int FFN = 96;
    static final int VOCAB = 48;
    static final int CONTEXT = 64;
    static final float BASE = 10000f;
    static final float C = 8f;
    /**
     * Float rounding of the angles (different pow arguments): measured 3.3e-6, while the factors
     * themselves move the logits by about 19.
     */
    static final double TOLERANCE = 1e-4;

    @TempDir
    Path dir;

    final CpuPlatform platform = new CpuPlatform();

    @Test
    void factorsOfOneGiveBitIdenticalLogitsToNoFactors() throws IOException {
        float[] ones = new float[HEAD_DIM / 2];
        Arrays.fill(ones, 1f);
        assertArrayEquals(logits(BASE, null), logits(BASE, ones));
    }

    @Test
    void factorsDivideEachPairsFrequency() throws IOException {
        float[] factors = new float[HEAD_DIM / 2];
        for (int i = 0; i < factors.length; i++) {
            factors[i] = (float) Math.pow(C, 2.0 * i / HEAD_DIM);
        }
        float[] withFactors = logits(BASE, factors);
        double sameAsLargerBase = maxDiff(withFactors, logits(BASE * C, null));
        double changed = maxDiff(withFactors, logits(BASE, null));
        System.err.printf("rope_freqs: %.2e from base*c, %.2e from no factors%n", sameAsLargerBase, changed);
        assertTrue(sameAsLargerBase <= TOLERANCE, "factors c^(2i/d) act as base * c: " + sameAsLargerBase);
        assertTrue(changed > 100 * TOLERANCE, "the factors change the logits: " + changed);
    }

    /** The last token's logits after a prompt of CONTEXT - 1 tokens (positions up to 62). */
    private float[] logits(float base, float[] ropeFreqs) throws IOException {
        Path path = dir.resolve("llama-" + base + "-" + (ropeFreqs == null ? "none" : ropeFreqs[1]) + ".gguf");
        write(path, base, ropeFreqs);
        try (GgufFile file = GgufFile.open(path)) {
            Model model = ModelLoader.loadModel(file, platform, VOCAB);
            ModelConfig c = model.config();
            KvPool pool = c.attentionBackend(platform).allocate(
                    new KvPoolSpec(c.layers(), c.kvHeads(), c.headDim(), 1, CONTEXT));
            int[] tokens = new int[CONTEXT - 1];
            int[] slots = new int[tokens.length];
            for (int i = 0; i < tokens.length; i++) {
                tokens[i] = (i * 7 + 3) % VOCAB;
                slots[i] = i;
            }
            return model.forward(new ForwardBatch(List.of(
                    new SequenceChunk(tokens, 0, new int[] {0}, slots, true))), pool)[0];
        }
    }

    /**
     * F32 weights from a fixed seed, tied output. q and k are large so that attention is peaked and
     * depends clearly on the rotation.
     */
    private static void write(Path path, float base, float[] ropeFreqs) throws IOException {
        GgufWriter w = new GgufWriter()
                .putString("general.architecture", "llama")
                .putUInt32("llama.context_length", CONTEXT)
                .putUInt32("llama.embedding_length", DIM)
                .putUInt32("llama.block_count", 1)
                .putUInt32("llama.feed_forward_length", FFN)
                .putUInt32("llama.attention.head_count", HEADS)
                .putUInt32("llama.attention.head_count_kv", KV_HEADS)
                .putFloat32("llama.rope.freq_base", base)
                .putFloat32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
        SplittableRandom random = new SplittableRandom(42);
        int kvDim = KV_HEADS * HEAD_DIM;
        tensor(w, "token_embd.weight", random, 1.0, DIM, VOCAB);
        tensor(w, "blk.0.attn_norm.weight", random, 0, DIM);
        tensor(w, "blk.0.attn_q.weight", random, 0.5, DIM, DIM);
        tensor(w, "blk.0.attn_k.weight", random, 0.5, DIM, kvDim);
        tensor(w, "blk.0.attn_v.weight", random, 0.3, DIM, kvDim);
        tensor(w, "blk.0.attn_output.weight", random, 0.3, DIM, DIM);
        tensor(w, "blk.0.ffn_norm.weight", random, 0, DIM);
        tensor(w, "blk.0.ffn_gate.weight", random, 0.1, DIM, FFN);
        tensor(w, "blk.0.ffn_up.weight", random, 0.1, DIM, FFN);
        tensor(w, "blk.0.ffn_down.weight", random, 0.1, FFN, DIM);
        tensor(w, "output_norm.weight", random, 0, DIM);
        if (ropeFreqs != null) {
            w.addTensor("rope_freqs.weight", GgmlType.F32, new long[] {ropeFreqs.length}, floats(ropeFreqs));
        }
        w.write(path);
    }

    /** Uniform weights of standard deviation {@code std}; std 0 gives ones (norm weights). */
    private static void tensor(GgufWriter w, String name, SplittableRandom random, double std, long... dims) {
        int size = (int) (dims.length == 1 ? dims[0] : dims[0] * dims[1]);
        float[] v = new float[size];
        for (int i = 0; i < size; i++) {
            v[i] = std == 0 ? 1f : (float) ((2 * random.nextDouble() - 1) * std * Math.sqrt(3));
        }
        w.addTensor(name, GgmlType.F32, dims, floats(v));
    }

    private static ByteBuffer floats(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        return b.flip();
    }

    private static double maxDiff(float[] a, float[] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }
}
