package dev.prefixflow.model;

/** Llama: adjacent-pair RoPE, no attention biases; Llama 3.1+ files add RoPE frequency factors. */
public final class LlamaArchitecture extends LlamaFamilyArchitecture {

    public LlamaArchitecture() {
        super("llama", false, false, false, false);
    }
}
