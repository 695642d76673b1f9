package dev.prefixflow.platform;

/**
 * Called after each transformer layer of a forward pass. Lazy-graph devices use it to cut the graph
 * ("mark step"); eager platforms need nothing.
 */
@FunctionalInterface
public interface LayerHook {
    LayerHook NONE = layer -> { };

    void afterLayer(int layer);
}
