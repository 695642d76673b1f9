package dev.prefixflow.model;

import dev.prefixflow.gguf.GgufFile;
import java.io.IOException;

/**
 * Gemma 3 (text): Gemma 2's block with per-head q/k norms and no attention soft-cap; five local
 * (sliding-window) layers to one global one unless the file says, local layers with their own RoPE
 * base (10000 unless the file says); a final soft-cap only where the file sets one. Without a window
 * key every layer is global.
 */
public final class Gemma3Architecture extends LlamaFamilyArchitecture {

    public Gemma3Architecture() {
        super("gemma3", true, false, true, true);
    }

    @Override
    BlockStyle style(GgufFile file, ModelConfig c) throws IOException {
        float finalCap = file.getFloat("gemma3.final_logit_softcapping", 0f);
        int window = file.getInt("gemma3.attention.sliding_window", 0);
        if (window <= 0) {
            // No window: the global RoPE base everywhere, pattern 1 makes no layer local.
            return GemmaStyle.read(file, c, 0, 1, 0f, finalCap, c.ropeBase(), 62);
        }
        float localBase = file.getFloat("gemma3.rope.freq_base_swa", 10000f);
        return GemmaStyle.read(file, c, window, 6, 0f, finalCap, localBase, 62);
    }
}
