package dev.prefixflow.cpu;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.OptionalLong;

/**
 * The HotSpot setting the Vector API kernels need for their speed, and the advice when it is missing.
 *
 * <p>Java 17's C2 binds a Vector API call to its vector class through the type profile, guarded by a
 * class-check trap. Once the class-check traps recorded in all the methods a compilation inlines add
 * up to {@code PerMethodTrapLimit} (100 by default), C2 stops trusting the profile for the rest of that
 * compilation: the vector's species is no longer a constant, and the store intrinsic falls back to
 * Java code. A kernel inlines the JDK's vector helpers dozens of times, so four or five traps in
 * one of them (from code that reached them with a new operator after they were compiled) are enough;
 * measured: Q4_K decode at 5-8 tokens/s instead of 12-14 in a JVM that also ran a vector exp.
 */
final class JitSettings {

    static final String TRAP_LIMIT = "PerMethodTrapLimit";
    /** Above the 245 class-check traps the largest kernel compilation counted in that JVM. */
    static final long TRAP_LIMIT_NEEDED = 10_000;
    static final String FLAG = "-XX:" + TRAP_LIMIT + "=" + TRAP_LIMIT_NEEDED;

    private JitSettings() {
    }

    /** The advice for a JVM whose trap limit is {@code limit}; none where it is not known (not HotSpot). */
    static List<String> advice(OptionalLong limit) {
        if (limit.isEmpty() || limit.getAsLong() >= TRAP_LIMIT_NEEDED) {
            return List.of();
        }
        return List.of("add the JVM flag " + FLAG + " (on a Flink cluster: to env.java.opts.taskmanager, beside "
                + "--add-modules jdk.incubator.vector): with " + TRAP_LIMIT + "=" + limit.getAsLong()
                + ", Java 17's compiler can give up on the vector kernels' stores after a few deoptimizations, "
                + "and they then run several times slower");
    }

    /** This JVM's trap limit, or empty where the JVM does not report it. */
    static OptionalLong trapLimit() {
        try {
            HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            return hotspot == null ? OptionalLong.empty()
                    : OptionalLong.of(Long.parseLong(hotspot.getVMOption(TRAP_LIMIT).getValue()));
        } catch (IllegalArgumentException | LinkageError e) {
            // Not HotSpot, or a runtime image without jdk.management: nothing to advise on.
            return OptionalLong.empty();
        }
    }
}
