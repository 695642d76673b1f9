package dev.prefixflow.lora;

/** The projections of a transformer block that an adapter may change, by their GGUF tensor names. */
public enum LoraTarget {
    Q("attn_q"), K("attn_k"), V("attn_v"), ATTN_OUTPUT("attn_output"), GATE("ffn_gate"), UP("ffn_up"),
    DOWN("ffn_down");

    private final String ggufName;

    LoraTarget(String ggufName) {
        this.ggufName = ggufName;
    }

    /** The middle part of the base tensor's name, {@code blk.N.<ggufName>.weight}. */
    public String ggufName() {
        return ggufName;
    }

    /** The target with that GGUF name, or null. */
    static LoraTarget byGgufName(String name) {
        for (LoraTarget t : values()) {
            if (t.ggufName.equals(name)) {
                return t;
            }
        }
        return null;
    }
}
