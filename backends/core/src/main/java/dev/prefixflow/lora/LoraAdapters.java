package dev.prefixflow.lora;

import dev.prefixflow.model.LoadedModel;
import dev.prefixflow.platform.Platform;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** The adapters an engine offers, by the name requests pick them with. */
public final class LoraAdapters {
    public static final LoraAdapters NONE = new LoraAdapters(Map.of());

    private final Map<String, LoraAdapter> byName;

    private LoraAdapters(Map<String, LoraAdapter> byName) {
        this.byName = byName;
    }

    /** Loads each named adapter file for {@code base}; an empty map gives {@link #NONE}. */
    public static LoraAdapters load(Map<String, Path> paths, LoadedModel base, Platform platform) throws IOException {
        Map<String, LoraAdapter> byName = new LinkedHashMap<>();
        for (Map.Entry<String, Path> e : paths.entrySet()) {
            byName.put(e.getKey(), LoraAdapterLoader.load(e.getKey(), e.getValue(), base, platform));
        }
        return new LoraAdapters(Collections.unmodifiableMap(byName));
    }

    /** The adapter of that name, or null. */
    public LoraAdapter get(String name) {
        return byName.get(name);
    }

    public Set<String> names() {
        return byName.keySet();
    }
}
