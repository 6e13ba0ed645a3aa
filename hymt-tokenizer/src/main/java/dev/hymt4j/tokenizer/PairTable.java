package dev.hymt4j.tokenizer;

import java.util.Arrays;

/**
 * Open-addressing hash map from a symbol pair (left id, right id) to its merge (rank, merged id), without
 * boxing: the BPE inner loop looks pairs up millions of times when tokenizing a corpus.
 */
final class PairTable {
    private static final long EMPTY = -1L;
    private long[] keys;
    private long[] values;
    private int size;

    PairTable(int expected) {
        int capacity = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
        keys = new long[capacity];
        values = new long[capacity];
        Arrays.fill(keys, EMPTY);
    }

    private static long key(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    private static int slot(long key, int mask) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 29)) & mask;
    }

    /** Records a merge; a pair listed twice keeps its last entry, as {@code tokenizers}' merge map does. */
    void put(int left, int right, int rank, int mergedId) {
        if (2 * (size + 1) > keys.length) grow();
        long k = key(left, right);
        int mask = keys.length - 1;
        int i = slot(k, mask);
        while (keys[i] != EMPTY) {
            if (keys[i] == k) break;
            i = (i + 1) & mask;
        }
        if (keys[i] == EMPTY) size++;
        keys[i] = k;
        values[i] = ((long) rank << 32) | (mergedId & 0xFFFFFFFFL);
    }

    /** The merge of the pair as {@code rank << 32 | mergedId}, or -1 when the pair does not merge. */
    long get(int left, int right) {
        long k = key(left, right);
        int mask = keys.length - 1;
        int i = slot(k, mask);
        while (true) {
            long found = keys[i];
            if (found == k) return values[i];
            if (found == EMPTY) return -1;
            i = (i + 1) & mask;
        }
    }

    private void grow() {
        long[] oldKeys = keys, oldValues = values;
        keys = new long[oldKeys.length * 2];
        values = new long[oldKeys.length * 2];
        Arrays.fill(keys, EMPTY);
        size = 0;
        int mask = keys.length - 1;
        for (int j = 0; j < oldKeys.length; j++) {
            if (oldKeys[j] == EMPTY) continue;
            int i = slot(oldKeys[j], mask);
            while (keys[i] != EMPTY) i = (i + 1) & mask;
            keys[i] = oldKeys[j];
            values[i] = oldValues[j];
            size++;
        }
    }
}
