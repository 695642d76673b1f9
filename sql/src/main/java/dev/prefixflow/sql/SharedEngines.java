package dev.prefixflow.sql;

import dev.prefixflow.engine.EngineSettings;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * Engines shared by every predict function instance in this JVM (a TaskManager): one per model file
 * and settings, so the rows of all parallel instances meet in one engine's batches and prefix cache.
 * Counted references; the last release closes the engine.
 */
final class SharedEngines {
    private static final Map<EngineSettings, Entry> ENGINES = new HashMap<>();

    private static final class Entry {
        final EngineWorker worker;
        int users;

        Entry(EngineWorker worker) {
            this.worker = worker;
        }
    }

    private SharedEngines() {
    }

    /** The engine for these settings, started on first use. */
    static synchronized EngineWorker acquire(EngineSettings settings) throws IOException {
        Entry entry = ENGINES.get(settings);
        if (entry == null) {
            // The same bound as the streaming operator's default --max-waiting: 4 x max-num-seqs.
            entry = new Entry(new EngineWorker(settings, 4 * settings.maxNumSeqs()));
            ENGINES.put(settings, entry);
        }
        entry.users++;
        return entry.worker;
    }

    static synchronized void release(EngineSettings settings) {
        Entry entry = ENGINES.get(settings);
        if (entry != null && --entry.users == 0) {
            ENGINES.remove(settings);
            entry.worker.close();
        }
    }

    /** Engines now running in this JVM. */
    static synchronized int running() {
        return ENGINES.size();
    }
}
