package dev.hymt4j.tokenizer;

import java.util.Arrays;

/** A growable int array, so encoding does not box every id. */
final class IntList {
    private int[] a = new int[64];
    private int size;

    void add(int v) {
        if (size == a.length) a = Arrays.copyOf(a, size * 2);
        a[size++] = v;
    }

    void addAll(int[] values) {
        if (size + values.length > a.length) a = Arrays.copyOf(a, Math.max(a.length * 2, size + values.length));
        System.arraycopy(values, 0, a, size, values.length);
        size += values.length;
    }

    int[] toArray() {
        return Arrays.copyOf(a, size);
    }
}
