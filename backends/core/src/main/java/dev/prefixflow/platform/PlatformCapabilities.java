package dev.prefixflow.platform;

import dev.prefixflow.gguf.GgmlType;
import java.util.Set;

/**
 * What a platform can do. Callers ask these instead of checking which platform they run on.
 *
 * @param weightTypes weight formats its kernels compute with directly
 * @param chunkedPrefill whether a prompt's prefill may be split over several forward calls
 * @param prefixCaching whether cached KV blocks may be shared between sequences
 * @param slidingWindow whether attention can be limited to a window of recent positions
 * @param lora whether low-rank adapters can be applied in the forward pass
 */
public record PlatformCapabilities(Set<GgmlType> weightTypes, boolean chunkedPrefill, boolean prefixCaching,
                                   boolean slidingWindow, boolean lora) {

    public PlatformCapabilities {
        weightTypes = Set.copyOf(weightTypes);
    }

    public boolean supports(GgmlType type) {
        return weightTypes.contains(type);
    }
}
