package dev.prefixflow.tokenizer;

import java.util.Arrays;
import java.util.Map;

/**
 * The merge list of a byte-level BPE vocabulary as an open-addressing table from a pair of token
 * ids to its rank (its line in the list, lower merges first) and the token the merge makes. Keys
 * are primitive longs because the lookup sits in the merge loop.
 */
final class MergeRanks {

    private static final long EMPTY = -1L;

    private final long[] keys;
    private final int[] ranks;
    private final int[] mergedByRank;
    private final int mask;

    /**
     * @param merges lines such as {@code "Ġ t"}: two tokens separated by one space
     * @param tokenIds the tokens that text may produce
     */
    MergeRanks(String[] merges, Map<String, Integer> tokenIds) {
        int capacity = Integer.highestOneBit(Math.max(2, merges.length) * 2) * 2;
        keys = new long[capacity];
        Arrays.fill(keys, EMPTY);
        ranks = new int[capacity];
        mask = capacity - 1;
        mergedByRank = new int[merges.length];
        for (int rank = 0; rank < merges.length; rank++) {
            String merge = merges[rank];
            int space = merge.indexOf(' ', 1);
            if (space < 0 || merge.indexOf(' ', space + 1) >= 0) {
                throw new IllegalArgumentException("tokenizer.ggml.merges: merge " + rank + " is not two tokens separated by a space: '" + merge + "'");
            }
            Integer left = tokenIds.get(merge.substring(0, space));
            Integer right = tokenIds.get(merge.substring(space + 1));
            Integer merged = tokenIds.get(merge.substring(0, space) + merge.substring(space + 1));
            // A merge that involves a token text cannot produce (control, user-defined) never applies.
            if (left != null && right != null && merged != null) {
                mergedByRank[rank] = merged;
                put(key(left, right), rank);
            }
        }
    }

    /** The rank of merging {@code left} and {@code right}, or -1 when they do not merge. */
    int rank(int left, int right) {
        long key = key(left, right);
        for (int slot = slot(key); ; slot = (slot + 1) & mask) {
            if (keys[slot] == key) {
                return ranks[slot];
            }
            if (keys[slot] == EMPTY) {
                return -1;
            }
        }
    }

    /** The token that the merge of rank {@code rank} makes. */
    int merged(int rank) {
        return mergedByRank[rank];
    }

    private void put(long key, int rank) {
        int slot = slot(key);
        while (keys[slot] != EMPTY && keys[slot] != key) {
            slot = (slot + 1) & mask;
        }
        // A repeated pair keeps its first (lowest) rank.
        if (keys[slot] == EMPTY) {
            keys[slot] = key;
            ranks[slot] = rank;
        }
    }

    private int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h >>> 32) & mask;
    }

    private static long key(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }
}
