package dev.prefixflow.model;

import dev.prefixflow.gguf.GgufFile;
import java.io.IOException;

/**
 * Gemma 2: NEOX RoPE, RMSNorm before and after attention and the feed-forward, GeGLU, scaled
 * embeddings, soft-capped attention scores and logits (50 and 30 unless the file says), a sliding
 * window (4096 unless the file says) on every other layer from the first, and the output tied to the
 * embedding.
 */
public final class Gemma2Architecture extends LlamaFamilyArchitecture {

    public Gemma2Architecture() {
        super("gemma2", true, false, false, true);
    }

    @Override
    BlockStyle style(GgufFile file, ModelConfig c) throws IOException {
        float attnCap = file.getFloat("gemma2.attn_logit_softcapping", 50f);
        float finalCap = file.getFloat("gemma2.final_logit_softcapping", 30f);
        // Local layers use the global base unless the file gives them one.
        float localBase = file.getFloat("gemma2.rope.freq_base_swa", c.ropeBase());
        return GemmaStyle.read(file, c, 4096, 2, attnCap, finalCap, localBase, 46);
    }
}
