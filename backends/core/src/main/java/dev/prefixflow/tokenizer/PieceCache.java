package dev.prefixflow.tokenizer;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Token ids of the pieces a tokenizer has already merged (pre-tokens, words): text repeats its
 * words, and a hit skips all merging. Bounded: long pieces are not kept, and the cache starts over
 * when full. Safe to share between threads.
 */
final class PieceCache {

    /** Pieces longer than this are rare and would bloat the cache. */
    private static final int CACHED_LENGTH = 32;
    /** Entries at which the cache starts over, bounding its memory on unbounded input. */
    private static final int CACHE_ENTRIES = 1 << 17;

    private final Map<String, int[]> ids = new ConcurrentHashMap<>();
    private final Function<String, int[]> merge;

    /** @param merge the tokenizer's own merging of one piece */
    PieceCache(Function<String, int[]> merge) {
        this.merge = merge;
    }

    /** The ids of {@code piece}, cached or merged now; callers must not modify the array. */
    int[] idsOf(String piece) {
        if (piece.length() > CACHED_LENGTH) {
            return merge.apply(piece);
        }
        int[] cached = ids.get(piece);
        if (cached == null) {
            cached = merge.apply(piece);
            if (ids.size() >= CACHE_ENTRIES) {
                ids.clear();
            }
            ids.put(piece, cached);
        }
        return cached;
    }
}
