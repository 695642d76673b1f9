package dev.prefixflow.engine.structured;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Token masks of every grammar of one engine, by (grammar, automaton state), least recently used
 * first out once they hold more than a byte budget. A mask is a pure function of its key, so an
 * evicted one is rebuilt the same when its state is reached again: eviction costs time, never
 * changes a token. A mask being built counts from the start; its future stays valid after eviction.
 */
final class MaskCache {
    /** 64 MiB: about 3,500 masks of a 150k-token vocabulary (19 KB each). */
    static final long DEFAULT_BYTES = 64L << 20;

    private record Key(CompiledGrammar grammar, int state) {
    }

    private final int capacity;
    private final Executor executor;
    private final Map<Key, CompletableFuture<long[]>> masks;
    private long evictions;

    /**
     * @param maxBytes how many bytes of masks to keep (at least one mask is kept)
     * @param vocabularySize the vocabulary's size: a mask holds a bit per token
     * @param executor where masks are built
     */
    MaskCache(long maxBytes, int vocabularySize, Executor executor) {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("the token mask cache needs a positive size, got " + maxBytes);
        }
        long maskBytes = 8L * ((vocabularySize + 63) >>> 6);
        this.capacity = (int) Math.max(1, Math.min(Integer.MAX_VALUE, maxBytes / maskBytes));
        this.executor = executor;
        this.masks = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, CompletableFuture<long[]>> eldest) {
                boolean full = size() > capacity;
                evictions += full ? 1 : 0;
                return full;
            }
        };
    }

    /** The mask of {@code state} of {@code grammar}, built by {@code build} on the executor if not cached. */
    CompletableFuture<long[]> get(CompiledGrammar grammar, int state, Supplier<long[]> build) {
        Key key = new Key(grammar, state);
        CompletableFuture<long[]> mask;
        synchronized (this) {
            mask = masks.get(key);
            if (mask != null) {
                return mask;
            }
            mask = new CompletableFuture<>();
            masks.put(key, mask);
        }
        CompletableFuture<long[]> target = mask;
        executor.execute(() -> {
            try {
                target.complete(build.get());
            } catch (RuntimeException | Error e) {
                target.completeExceptionally(e);
            }
        });
        return mask;
    }

    int capacity() {
        return capacity;
    }

    synchronized int size() {
        return masks.size();
    }

    synchronized long evictions() {
        return evictions;
    }
}
