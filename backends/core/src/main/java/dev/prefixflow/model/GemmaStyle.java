package dev.prefixflow.model;

import dev.prefixflow.gguf.GgufFile;
import dev.prefixflow.gguf.GgufFormatException;
import dev.prefixflow.platform.LayerAttention;
import java.util.ArrayList;
import java.util.List;

/**
 * What Gemma 2 and 3 share, read as llama.cpp reads it: embeddings scaled by sqrt(dim), GeGLU,
 * queries scaled by 1/sqrt(head size) (1/sqrt(dim / heads) for the 27B layer counts), and local
 * (sliding-window) layers chosen by {@code attention.sliding_window_pattern}: a per-layer array, or a
 * period n in which every layer but the last is local.
 */
final class GemmaStyle {

    private GemmaStyle() {
    }

    /**
     * @param defaultWindow the window when the file names none
     * @param defaultPattern the period when the file names no pattern
     * @param attnSoftcap 0, or the soft-cap of attention scores
     * @param finalSoftcap 0, or the soft-cap of the output logits
     * @param localRopeBase the RoPE base of local layers
     * @param largeLayerCounts layer counts of the 27B models, whose query scale is 1/sqrt(dim / heads)
     */
    static BlockStyle read(GgufFile file, ModelConfig c, int defaultWindow, int defaultPattern, float attnSoftcap,
                           float finalSoftcap, float localRopeBase, int largeLayerCounts)
            throws GgufFormatException {
        String arch = c.architecture();
        int window = file.getInt(arch + ".attention.sliding_window", defaultWindow);
        boolean[] local = localLayers(file, c, defaultPattern);
        double scaleBase = c.layers() == largeLayerCounts ? (double) c.dim() / c.heads() : c.headDim();
        float scale = (float) (1.0 / Math.sqrt(scaleBase));
        List<LayerAttention> attention = new ArrayList<>();
        List<Float> ropeBases = new ArrayList<>();
        for (int l = 0; l < c.layers(); l++) {
            attention.add(new LayerAttention(scale, local[l] ? window : 0, attnSoftcap));
            ropeBases.add(local[l] ? localRopeBase : c.ropeBase());
        }
        return new BlockStyle((float) Math.sqrt(c.dim()), BlockStyle.Activation.GELU_TANH, finalSoftcap, attention,
                ropeBases);
    }

    private static boolean[] localLayers(GgufFile file, ModelConfig c, int defaultPattern)
            throws GgufFormatException {
        String key = c.architecture() + ".attention.sliding_window_pattern";
        boolean[] local = new boolean[c.layers()];
        Object value = file.metadata().get(key);
        if (value instanceof boolean[] perLayer) {
            if (perLayer.length < c.layers()) {
                throw new GgufFormatException(file.path(), file.offset(key), key, "has " + perLayer.length + " entries for "
                        + c.layers() + " layers");
            }
            System.arraycopy(perLayer, 0, local, 0, c.layers());
            return local;
        }
        int period = file.getInt(key, defaultPattern);
        for (int l = 0; l < c.layers(); l++) {
            local[l] = period == 0 || l % period < period - 1;
        }
        return local;
    }
}
