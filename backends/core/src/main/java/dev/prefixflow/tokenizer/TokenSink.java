package dev.prefixflow.tokenizer;

import java.util.Arrays;

/** A growing array of token ids, as an encoder appends them. */
final class TokenSink {
    private int[] ids;
    private int size;

    TokenSink(int capacity) {
        ids = new int[Math.max(1, capacity)];
    }

    void add(int id) {
        ensure(size + 1);
        ids[size++] = id;
    }

    void addAll(int[] more) {
        ensure(size + more.length);
        System.arraycopy(more, 0, ids, size, more.length);
        size += more.length;
    }

    int[] toArray() {
        return Arrays.copyOf(ids, size);
    }

    private void ensure(int needed) {
        if (needed > ids.length) {
            ids = Arrays.copyOf(ids, Math.max(needed, ids.length * 2));
        }
    }
}
