package dev.prefixflow.flink;

import dev.prefixflow.model.LoadedModel;
import dev.prefixflow.model.ModelLoader;
import dev.prefixflow.platform.Platform;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Models loaded once per JVM and shared by the inference subtasks of a TaskManager: the weights are
 * read-only, so every subtask's engine (with its own KV pool) can use the same copy. Counted
 * references; the last release closes the model.
 */
final class SharedModels {
    private static final Map<String, Entry> MODELS = new HashMap<>();

    private static final class Entry {
        final LoadedModel model;
        int users;

        Entry(LoadedModel model) {
            this.model = model;
        }
    }

    private SharedModels() {
    }

    static synchronized LoadedModel acquire(Path path, Platform platform) throws IOException {
        String key = path.toAbsolutePath().normalize() + "@" + platform.name();
        Entry entry = MODELS.get(key);
        if (entry == null) {
            entry = new Entry(ModelLoader.load(path, platform));
            MODELS.put(key, entry);
        }
        entry.users++;
        return entry.model;
    }

    static synchronized void release(LoadedModel model) {
        MODELS.values().removeIf(entry -> {
            if (entry.model != model || --entry.users > 0) {
                return false;
            }
            entry.model.close();
            return true;
        });
    }
}
