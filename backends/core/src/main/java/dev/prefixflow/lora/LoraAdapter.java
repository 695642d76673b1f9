package dev.prefixflow.lora;

/**
 * A loaded LoRA adapter: per layer and target, its low-rank update or none. Compared by identity:
 * two loads of one file are two adapters.
 */
public final class LoraAdapter {
    private final String name;
    private final LoraPair[][] pairs;

    /** @param pairs indexed [layer][target ordinal], null where the adapter leaves the projection alone */
    LoraAdapter(String name, LoraPair[][] pairs) {
        this.name = name;
        this.pairs = new LoraPair[pairs.length][];
        for (int l = 0; l < pairs.length; l++) {
            this.pairs[l] = pairs[l].clone();
        }
    }

    public String name() {
        return name;
    }

    /** The update of that projection, or null. */
    public LoraPair pair(int layer, LoraTarget target) {
        return pairs[layer][target.ordinal()];
    }

    @Override
    public String toString() {
        return "LoRA adapter '" + name + "'";
    }
}
