package dev.hymt4j.data;

/**
 * A set of 64-bit hashes in one open-addressing {@code long[]}: 11 to 21 bytes per entry (load factor
 * 0.375 to 0.75), against well over 100 for a {@code HashSet<String>} of the texts, which is what lets deduplication of a multi-gigabyte
 * corpus run in a small heap. Zero marks an empty slot, so the value 0 is stored in a separate flag.
 */
public final class LongHashSet {
    private long[] slots = new long[1 << 10];
    private int size;
    private boolean hasZero;

    /** Adds {@code value}; returns false if it was already present. */
    public boolean add(long value) {
        if (value == 0) {
            boolean added = !hasZero;
            hasZero = true;
            if (added) size++;
            return added;
        }
        if ((size + 1) * 4L > slots.length * 3L) grow();
        if (insert(slots, value)) {
            size++;
            return true;
        }
        return false;
    }

    public boolean contains(long value) {
        if (value == 0) return hasZero;
        int mask = slots.length - 1;
        for (int i = index(value, mask); ; i = (i + 1) & mask) {
            if (slots[i] == value) return true;
            if (slots[i] == 0) return false;
        }
    }

    public int size() {
        return size;
    }

    private static boolean insert(long[] table, long value) {
        int mask = table.length - 1;
        for (int i = index(value, mask); ; i = (i + 1) & mask) {
            if (table[i] == value) return false;
            if (table[i] == 0) {
                table[i] = value;
                return true;
            }
        }
    }

    /** Mixed again so that callers storing raw, poorly spread values (e.g. counters) still get short probes. */
    private static int index(long value, int mask) {
        return (int) TextKeys.mix(value) & mask;
    }

    private void grow() {
        long[] bigger = new long[slots.length * 2];
        for (long v : slots) if (v != 0) insert(bigger, v);
        slots = bigger;
    }
}
