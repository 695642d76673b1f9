package dev.prefixflow.model.synthetic;

import dev.prefixflow.gguf.GgmlType;
import dev.prefixflow.gguf.GgufFile;
import dev.prefixflow.gguf.GgufWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * Writes a Llama GGUF file of a given shape with random weights, so benchmarks and tests can run a
 * model of any size without downloading one. Matrices and the token embedding are in the chosen type,
 * norms are F32 ones. The same shape, type and seed always give the same bytes.
 */
public final class SyntheticModel {

    /** The weight types a synthetic model can be written in. */
    public static final Set<GgmlType> TYPES = EnumSet.of(GgmlType.F32, GgmlType.F16, GgmlType.Q8_0, GgmlType.Q4_0,
            GgmlType.Q4_K, GgmlType.Q6_K);

    private static final float RMS_EPS = 1e-5f;
    private static final String TOKENS = "tokenizer.ggml.tokens";

    private SyntheticModel() {
    }

    /** A file name that tells shape, type and seed apart, for caching generated models. */
    public static String fileName(ModelShape shape, GgmlType type, long seed) {
        return "synthetic-" + shape.name() + "-" + type.name().toLowerCase(Locale.ROOT) + "-seed" + seed + ".gguf";
    }

    /** Writes the model to {@code path}, replacing any file there. */
    public static void write(ModelShape shape, GgmlType type, long seed, Path path) throws IOException {
        checkShape(shape, type);
        GgufWriter w = new GgufWriter();
        SyntheticVocabulary.putInto(w, shape.vocabSize());
        writeWith(w, shape, type, seed, path);
    }

    /**
     * Writes a model whose vocabulary (every {@code tokenizer.*} key, chat template included) is the one of
     * {@code vocabularyFile}, e.g. a vocab-only GGUF file: random weights behind a real tokenizer. The
     * shape's vocabulary size is replaced by that vocabulary's.
     */
    public static void write(ModelShape shape, GgmlType type, long seed, Path path, Path vocabularyFile)
            throws IOException {
        GgufWriter w = new GgufWriter();
        int vocabSize;
        try (GgufFile vocabulary = GgufFile.open(vocabularyFile)) {
            String[] tokens = vocabulary.getStringArray(TOKENS);
            if (tokens == null) {
                throw new IllegalArgumentException(vocabularyFile + " has no vocabulary (" + TOKENS + ")");
            }
            vocabSize = tokens.length;
            w.copyMetadata(vocabulary, key -> key.startsWith("tokenizer."));
        }
        ModelShape sized = shape.withVocabSize(vocabSize);
        checkShape(sized, type);
        writeWith(w, sized, type, seed, path);
    }

    private static void checkShape(ModelShape shape, GgmlType type) {
        if (!TYPES.contains(type)) {
            throw new IllegalArgumentException("synthetic models come in " + TYPES + ", not " + type);
        }
        for (int rowLength : new int[] {shape.dim(), shape.ffnDim()}) {
            if (rowLength % type.blockSize() != 0) {
                throw new IllegalArgumentException("shape " + shape.name() + " has rows of " + rowLength
                        + " weights, not a multiple of the " + type + " block size " + type.blockSize());
            }
        }
    }

    private static void writeWith(GgufWriter w, ModelShape shape, GgmlType type, long seed, Path path)
            throws IOException {
        putHyperparameters(w, shape);
        Tensors t = new Tensors(w, type, seed);
        int kvDim = shape.kvHeads() * shape.headDim();
        t.matrix("token_embd.weight", shape.dim(), shape.vocabSize());
        for (int l = 0; l < shape.layers(); l++) {
            String p = "blk." + l + ".";
            t.ones(p + "attn_norm.weight", shape.dim());
            t.matrix(p + "attn_q.weight", shape.dim(), shape.dim());
            t.matrix(p + "attn_k.weight", shape.dim(), kvDim);
            t.matrix(p + "attn_v.weight", shape.dim(), kvDim);
            t.matrix(p + "attn_output.weight", shape.dim(), shape.dim());
            t.ones(p + "ffn_norm.weight", shape.dim());
            t.matrix(p + "ffn_gate.weight", shape.dim(), shape.ffnDim());
            t.matrix(p + "ffn_up.weight", shape.dim(), shape.ffnDim());
            t.matrix(p + "ffn_down.weight", shape.ffnDim(), shape.dim());
        }
        t.ones("output_norm.weight", shape.dim());
        if (!shape.tiedOutput()) {
            t.matrix("output.weight", shape.dim(), shape.vocabSize());
        }
        w.write(path);
    }

    private static void putHyperparameters(GgufWriter w, ModelShape s) {
        w.putString("general.architecture", "llama")
                .putString("general.name", "synthetic " + s.name())
                .putUInt32("llama.context_length", s.contextLength())
                .putUInt32("llama.embedding_length", s.dim())
                .putUInt32("llama.block_count", s.layers())
                .putUInt32("llama.feed_forward_length", s.ffnDim())
                .putUInt32("llama.attention.head_count", s.heads())
                .putUInt32("llama.attention.head_count_kv", s.kvHeads())
                .putUInt32("llama.rope.dimension_count", s.headDim())
                .putFloat32("llama.rope.freq_base", s.ropeBase())
                .putFloat32("llama.attention.layer_norm_rms_epsilon", RMS_EPS);
    }

    /** Adds tensors to the writer: random matrices in the model's type, F32 norms of ones. */
    private record Tensors(GgufWriter w, GgmlType type, long seed) {

        /** A matrix of {@code rows} rows of {@code cols} weights (GGUF dims [cols, rows]). */
        void matrix(String name, int cols, int rows) {
            long elements = (long) cols * rows;
            w.addTensor(name, type, new long[] {cols, rows}, type.byteSize(elements),
                    RandomWeights.content(type, elements, seed, name));
        }

        void ones(String name, int size) {
            ByteBuffer b = ByteBuffer.allocate(size * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < size; i++) {
                b.putFloat(1f);
            }
            w.addTensor(name, GgmlType.F32, new long[] {size}, b.flip());
        }
    }
}
