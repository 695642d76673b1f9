package dev.prefixflow.testing;

import dev.prefixflow.platform.AttentionBackend;
import dev.prefixflow.platform.Kernels;
import dev.prefixflow.platform.MemoryInfo;
import dev.prefixflow.platform.Platform;
import dev.prefixflow.platform.PlatformCapabilities;
import java.util.List;

/**
 * A real platform that declares other capabilities: its kernels and backends still do the work, so
 * tests see how callers treat a platform without, say, LoRA or sliding windows.
 */
public final class RestrictedPlatform implements Platform {
    private final Platform real;
    private final String name;
    private final PlatformCapabilities declared;

    public RestrictedPlatform(Platform real, String name, PlatformCapabilities declared) {
        this.real = real;
        this.name = name;
        this.declared = declared;
    }

    /** {@code real} with only the given capabilities (its weight types unchanged). */
    public static RestrictedPlatform of(Platform real, boolean chunkedPrefill, boolean prefixCaching,
                                        boolean slidingWindow, boolean lora) {
        PlatformCapabilities c = real.capabilities();
        return new RestrictedPlatform(real, "restricted-" + real.name(),
                new PlatformCapabilities(c.weightTypes(), chunkedPrefill, prefixCaching, slidingWindow, lora));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean isAvailable() {
        return true;
    }

    @Override
    public int priority() {
        return real.priority();
    }

    @Override
    public PlatformCapabilities capabilities() {
        return declared;
    }

    @Override
    public MemoryInfo memoryInfo() {
        return real.memoryInfo();
    }

    @Override
    public Kernels kernels() {
        return real.kernels();
    }

    @Override
    public List<AttentionBackend> attentionBackends() {
        return real.attentionBackends();
    }
}
