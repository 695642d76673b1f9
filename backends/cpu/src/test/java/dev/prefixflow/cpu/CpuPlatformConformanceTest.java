package dev.prefixflow.cpu;

import dev.prefixflow.conformance.PlatformConformance;
import dev.prefixflow.platform.Platform;

/** The conformance suite on the CPU platform. */
class CpuPlatformConformanceTest extends PlatformConformance {
    private static final Platform PLATFORM = new CpuPlatform();

    @Override
    protected Platform platform() {
        return PLATFORM;
    }
}
