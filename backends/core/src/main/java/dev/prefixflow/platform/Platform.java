package dev.prefixflow.platform;

import dev.prefixflow.gguf.GgmlType;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One kind of hardware. Implementations live in their own module and register with {@link
 * java.util.ServiceLoader}; nothing outside that module refers to them by name.
 */
public interface Platform {

    /** Short name, e.g. for {@code --platform}. */
    String name();

    /** Whether this platform can run here (a device is present, native libraries load...). */
    boolean isAvailable();

    /** Preference among available platforms: the highest wins when none is named. */
    int priority();

    PlatformCapabilities capabilities();

    MemoryInfo memoryInfo();

    Kernels kernels();

    /** Attention backends, preferred first. */
    List<AttentionBackend> attentionBackends();

    /**
     * The preferred attention backend for heads of {@code headSize} values and a KV cache of {@code
     * kvDtype}, as vLLM's platform picks one for the model; none that fits is an error that names
     * what the platform offers.
     */
    default AttentionBackend attentionBackend(int headSize, GgmlType kvDtype) {
        for (AttentionBackend b : attentionBackends()) {
            if (b.supports(headSize, kvDtype)) {
                return b;
            }
        }
        throw new IllegalArgumentException("platform '" + name() + "' has no attention backend for head size "
                + headSize + " and KV cache dtype " + kvDtype + "; its backends: " + attentionBackends().stream()
                .map(AttentionBackend::getName).collect(Collectors.joining(", ")));
    }

    /**
     * Measured FP32 multiply-add throughput, in FLOP/s, of this platform's compute units with all of
     * its kernel threads; NaN where the platform cannot tell. Runs for a second or so, so call it
     * outside timed work.
     */
    default double measurePeakFlops() {
        return Double.NaN;
    }

    /**
     * Settings this process lacks that the platform runs markedly faster with, each one sentence that
     * names the setting and where to put it; empty when there is nothing to change. Callers show them
     * once, at startup.
     */
    default List<String> advice() {
        return List.of();
    }

    default LayerHook layerHook() {
        return LayerHook.NONE;
    }
}
