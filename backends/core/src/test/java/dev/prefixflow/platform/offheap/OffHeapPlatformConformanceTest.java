package dev.prefixflow.platform.offheap;

import dev.prefixflow.conformance.PlatformConformance;
import dev.prefixflow.platform.Platform;

/** The conformance suite on the off-heap test platform. */
class OffHeapPlatformConformanceTest extends PlatformConformance {
    private static final Platform PLATFORM = new OffHeapPlatform();

    @Override
    protected Platform platform() {
        return PLATFORM;
    }
}
