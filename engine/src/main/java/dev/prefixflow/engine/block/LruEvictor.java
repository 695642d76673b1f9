package dev.prefixflow.engine.block;

import java.util.Arrays;
import java.util.NoSuchElementException;

/**
 * The {@link Evictor} for a pool of block ids {@code 0..capacity-1}: a binary min-heap of block
 * ids ordered by (last access ascending, prefix tokens descending, block id ascending), with an
 * index from block id to heap position so that {@code remove} needs no search.
 *
 * <p>Why this structure: add, remove and evict are O(log n), and add is O(1) in the usual case
 * (blocks are freed with ever newer access times, so a new entry stays at the bottom). Everything
 * lives in primitive arrays indexed by block id, allocated once: no boxing, no tree nodes, no
 * garbage per operation, unlike a {@code TreeSet} of entries. vLLM's heap with lazy deletion needs
 * a periodic rebuild; the position index makes deletion exact instead. A bucketed LRU list would
 * make ties (a whole sequence freed at once) cost O(blocks per bucket) to keep deepest-first.
 *
 * <p>Not thread-safe.
 */
public final class LruEvictor implements Evictor {

    private static final int ABSENT = -1;

    private final long[] lastAccess;
    private final int[] prefixTokens;
    private final BlockHash[] hashes;
    /** Block ids in heap order; the first {@code size} are used. */
    private final int[] heap;
    /** Block id to its index in {@link #heap}, or {@link #ABSENT}. */
    private final int[] position;
    private int size;

    public LruEvictor(int capacity) {
        lastAccess = new long[capacity];
        prefixTokens = new int[capacity];
        hashes = new BlockHash[capacity];
        heap = new int[capacity];
        position = new int[capacity];
        Arrays.fill(position, ABSENT);
    }

    @Override
    public void add(int blockId, BlockHash hash, long lastAccess, int prefixTokens) {
        if (contains(blockId)) {
            throw new IllegalArgumentException("block " + blockId + " is already evictable");
        }
        this.lastAccess[blockId] = lastAccess;
        this.prefixTokens[blockId] = prefixTokens;
        hashes[blockId] = hash;
        heap[size] = blockId;
        position[blockId] = size;
        siftUp(size++);
    }

    @Override
    public boolean remove(int blockId) {
        if (!contains(blockId)) {
            return false;
        }
        removeAt(position[blockId]);
        return true;
    }

    @Override
    public EvictedBlock evict() {
        if (size == 0) {
            throw new NoSuchElementException("no evictable block");
        }
        int blockId = heap[0];
        EvictedBlock evicted = new EvictedBlock(blockId, hashes[blockId], prefixTokens[blockId]);
        removeAt(0);
        return evicted;
    }

    @Override
    public boolean contains(int blockId) {
        return position[blockId] != ABSENT;
    }

    @Override
    public int size() {
        return size;
    }

    private void removeAt(int index) {
        int removed = heap[index];
        position[removed] = ABSENT;
        hashes[removed] = null;
        int last = --size;
        if (index == last) {
            return;
        }
        int moved = heap[last];
        place(moved, index);
        siftDown(index);
        if (heap[index] == moved) {
            siftUp(index);
        }
    }

    private void siftUp(int index) {
        int blockId = heap[index];
        while (index > 0) {
            int parent = (index - 1) >>> 1;
            if (!evictsBefore(blockId, heap[parent])) {
                break;
            }
            place(heap[parent], index);
            index = parent;
        }
        place(blockId, index);
    }

    private void siftDown(int index) {
        int blockId = heap[index];
        while (true) {
            int child = 2 * index + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && evictsBefore(heap[child + 1], heap[child])) {
                child++;
            }
            if (!evictsBefore(heap[child], blockId)) {
                break;
            }
            place(heap[child], index);
            index = child;
        }
        place(blockId, index);
    }

    private void place(int blockId, int index) {
        heap[index] = blockId;
        position[blockId] = index;
    }

    private boolean evictsBefore(int a, int b) {
        if (lastAccess[a] != lastAccess[b]) {
            return lastAccess[a] < lastAccess[b];
        }
        if (prefixTokens[a] != prefixTokens[b]) {
            return prefixTokens[a] > prefixTokens[b];
        }
        return a < b;
    }
}
