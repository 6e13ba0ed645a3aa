package dev.hymt4j.kv;

import java.util.Arrays;

/**
 * The blocks of one sequence in a {@link PagedKvCache}, in slot order: slot {@code j} lives in block
 * {@code blocks()[j / blockSize]}. Owned by the cache that filled it; {@link PagedKvCache#release} empties it.
 */
public final class BlockTable {
    private int[] blocks = new int[4];
    private int count;
    /** Chain hash of each full prompt block registered or matched in the prefix cache, by block index. */
    long[] hashes = new long[4];
    /** Leading blocks whose prefix-cache status is settled (matched or registered). */
    int hashed;

    /** Block ids, valid up to {@link #size()}; the array may be replaced when the table grows. */
    public int[] blocks() {
        return blocks;
    }

    public int size() {
        return count;
    }

    void add(int block) {
        if (count == blocks.length) {
            blocks = Arrays.copyOf(blocks, 2 * count);
            hashes = Arrays.copyOf(hashes, 2 * count);
        }
        blocks[count++] = block;
    }

    void clear() {
        count = 0;
        hashed = 0;
    }
}
