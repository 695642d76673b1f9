package dev.prefixflow.platform;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/** Finds the platforms on the class path. */
public final class Platforms {

    private Platforms() {
    }

    /** Every registered platform that can run here, preferred first. */
    public static List<Platform> available() {
        List<Platform> found = new ArrayList<>();
        for (Platform p : ServiceLoader.load(Platform.class)) {
            if (p.isAvailable()) {
                found.add(p);
            }
        }
        found.sort(Comparator.comparingInt(Platform::priority).reversed());
        return found;
    }

    /** The named platform, or the preferred one when {@code name} is null or empty. */
    public static Platform select(String name) {
        List<Platform> found = available();
        if (found.isEmpty()) {
            throw new IllegalStateException("No platform available: put a platform module (e.g. prefixflow-cpu) "
                    + "on the class path");
        }
        if (name == null || name.isEmpty()) {
            return found.get(0);
        }
        return found.stream().filter(p -> p.name().equalsIgnoreCase(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("Unknown or unavailable platform '" + name
                        + "'; available: " + found.stream().map(Platform::name).collect(Collectors.joining(", "))));
    }
}
