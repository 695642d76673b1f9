package dev.prefixflow.model.synthetic;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The hyperparameters of a Llama-family model, without its weights: what a synthetic model is built
 * from. Named shapes copy well-known models; {@link #parse} also takes overrides such as
 * {@code llama-1b,layers=4,vocab=32000}.
 *
 * @param tiedOutput whether the output projection reuses the token embedding (no output.weight)
 */
public record ModelShape(String name, int dim, int layers, int heads, int kvHeads, int ffnDim, int vocabSize,
                         int contextLength, float ropeBase, boolean tiedOutput) {

    /** The 3 special tokens and 256 byte tokens every synthetic vocabulary starts with. */
    public static final int MIN_VOCAB = 3 + 256;

    private static final Map<String, ModelShape> NAMED = new LinkedHashMap<>();

    static {
        // Llama 3.2 1B; the context is cut from 131072 to 2048 to keep the RoPE table and KV pool small.
        add(new ModelShape("llama-1b", 2048, 16, 32, 8, 8192, 128256, 2048, 500000f, true));
        add(new ModelShape("tinyllama-1.1b", 2048, 22, 32, 4, 5632, 32000, 2048, 10000f, false));
        // Row lengths are multiples of 256 so that the K-quant types fit too.
        add(new ModelShape("tiny", 256, 2, 4, 2, 512, 300, 256, 10000f, false));
    }

    public ModelShape {
        if (dim <= 0 || layers <= 0 || heads <= 0 || kvHeads <= 0 || ffnDim <= 0 || contextLength <= 0
                || !(ropeBase > 0)) {
            throw new IllegalArgumentException("shape " + name + ": sizes and the RoPE base must be positive");
        }
        if (dim % heads != 0 || heads % kvHeads != 0 || (dim / heads) % 2 != 0) {
            throw new IllegalArgumentException("shape " + name + ": dim " + dim + ", " + heads + " heads and "
                    + kvHeads + " KV heads need dim = heads x an even head size and heads = KV heads x a whole number");
        }
        if (vocabSize < MIN_VOCAB) {
            throw new IllegalArgumentException("shape " + name + ": the vocabulary needs at least " + MIN_VOCAB
                    + " tokens (specials and bytes), has " + vocabSize);
        }
    }

    public int headDim() {
        return dim / heads;
    }

    /** This shape with another vocabulary size (and its name saying so). */
    public ModelShape withVocabSize(int size) {
        return size == vocabSize ? this : new ModelShape(name + "_vocab" + size, dim, layers, heads, kvHeads, ffnDim,
                size, contextLength, ropeBase, tiedOutput);
    }

    public static Set<String> names() {
        return NAMED.keySet();
    }

    /** A named shape, optionally followed by comma-separated {@code key=value} overrides. */
    public static ModelShape parse(String spec) {
        String[] parts = spec.split(",");
        ModelShape base = NAMED.get(parts[0].trim());
        if (base == null) {
            throw new IllegalArgumentException("unknown model shape '" + parts[0] + "'; known: " + names());
        }
        Map<String, String> values = base.asMap();
        for (int i = 1; i < parts.length; i++) {
            String[] kv = parts[i].split("=", 2);
            String key = kv[0].trim();
            if (kv.length != 2 || !values.containsKey(key)) {
                throw new IllegalArgumentException("bad shape override '" + parts[i] + "'; expected key=value with"
                        + " a key of " + values.keySet());
            }
            values.put(key, kv[1].trim());
        }
        String name = parts.length == 1 ? base.name : spec.replaceAll("[^A-Za-z0-9.-]+", "_");
        try {
            return new ModelShape(name, Integer.parseInt(values.get("dim")), Integer.parseInt(values.get("layers")),
                    Integer.parseInt(values.get("heads")), Integer.parseInt(values.get("kv-heads")),
                    Integer.parseInt(values.get("ffn")), Integer.parseInt(values.get("vocab")),
                    Integer.parseInt(values.get("context")), Float.parseFloat(values.get("rope-base")),
                    Boolean.parseBoolean(values.get("tied")));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad number in shape '" + spec + "': " + e.getMessage());
        }
    }

    private Map<String, String> asMap() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("dim", Integer.toString(dim));
        m.put("layers", Integer.toString(layers));
        m.put("heads", Integer.toString(heads));
        m.put("kv-heads", Integer.toString(kvHeads));
        m.put("ffn", Integer.toString(ffnDim));
        m.put("vocab", Integer.toString(vocabSize));
        m.put("context", Integer.toString(contextLength));
        m.put("rope-base", Float.toString(ropeBase));
        m.put("tied", Boolean.toString(tiedOutput));
        return m;
    }

    private static void add(ModelShape s) {
        NAMED.put(s.name, s);
    }
}
