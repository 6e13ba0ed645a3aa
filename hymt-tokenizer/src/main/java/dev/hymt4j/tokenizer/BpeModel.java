package dev.hymt4j.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Byte-level BPE: a piece's UTF-8 bytes start as one symbol each, then the adjacent pair with the lowest merge
 * rank (leftmost on ties) is merged until no pair merges, exactly like {@code tokenizers}' BPE
 * ({@code word.merge_all}) and tiktoken's {@code byte_pair_merge}. Results are cached per piece. Thread-safe.
 */
final class BpeModel {
    /** Pieces longer than this (in chars) are not cached: they are rare and would crowd the cache. */
    private static final int MAX_CACHED_PIECE = 256;
    private static final int CACHE_CAPACITY = 200_000;

    private final Map<String, Integer> vocab;
    private final PairTable merges;
    /** Id of the single-byte symbol for each byte value, or -1 when the vocabulary lacks it. */
    private final int[] byteIds = new int[256];
    private final int unkId;
    /** If true, a piece that is itself in the vocabulary is emitted whole without merging. */
    private final boolean ignoreMerges;
    private final ConcurrentHashMap<String, int[]> cache = new ConcurrentHashMap<>();

    /**
     * @param vocab        byte-level token string → id
     * @param merges       pair → (rank, merged id)
     * @param unkId        id used for a byte missing from the vocabulary, or -1 to drop such bytes (as
     *                     {@code tokenizers} does without an unk token)
     * @param ignoreMerges emit whole pieces found in the vocabulary
     */
    BpeModel(Map<String, Integer> vocab, PairTable merges, int unkId, boolean ignoreMerges) {
        this.vocab = vocab;
        this.merges = merges;
        this.unkId = unkId;
        this.ignoreMerges = ignoreMerges;
        for (int b = 0; b < 256; b++) {
            Integer id = vocab.get(String.valueOf(ByteLevel.charOf(b)));
            byteIds[b] = id == null ? -1 : id;
        }
    }

    Map<String, Integer> vocab() {
        return vocab;
    }

    /** Appends the ids of one pre-tokenized piece (raw text, before byte-level mapping) to {@code out}. */
    void encodePiece(String piece, IntList out) {
        int[] cached = cache.get(piece);
        if (cached == null) {
            cached = merge(piece);
            if (piece.length() <= MAX_CACHED_PIECE) {
                if (cache.size() >= CACHE_CAPACITY) cache.clear();
                cache.put(piece, cached);
            }
        }
        out.addAll(cached);
    }

    private int[] merge(String piece) {
        byte[] bytes = piece.getBytes(StandardCharsets.UTF_8);
        if (ignoreMerges) {
            Integer whole = vocab.get(ByteLevel.encode(bytes));
            if (whole != null) return new int[] {whole};
        }
        int n = bytes.length;
        int[] ids = new int[n];
        int count = 0;
        for (byte b : bytes) {
            int id = byteIds[b & 0xFF];
            if (id >= 0) ids[count++] = id;
            else if (unkId >= 0) ids[count++] = unkId;
        }
        if (count < 2) return Arrays.copyOf(ids, count);
        return mergeSymbols(ids, count);
    }

    /**
     * Merges symbols with a min-heap of candidate pairs keyed by (rank, position), skipping stale entries,
     * which is how {@code tokenizers} does it: O(n log n) even for very long pieces (e.g. runs of spaces).
     */
    private int[] mergeSymbols(int[] ids, int n) {
        int[] prev = new int[n];
        int[] next = new int[n];
        for (int i = 0; i < n; i++) {
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        LongHeap heap = new LongHeap(n);
        for (int i = 0; i + 1 < n; i++) {
            long merge = merges.get(ids[i], ids[i + 1]);
            if (merge >= 0) heap.push((merge & 0xFFFFFFFF00000000L) | i);
        }
        boolean[] removed = new boolean[n];
        int remaining = n;
        while (!heap.isEmpty()) {
            long top = heap.pop();
            int pos = (int) top;
            long rank = top >>> 32;
            if (removed[pos] || next[pos] < 0) continue;
            int right = next[pos];
            long merge = merges.get(ids[pos], ids[right]);
            if (merge < 0 || (merge >>> 32) != rank) continue; // stale: a neighbour changed since the push
            ids[pos] = (int) merge;
            removed[right] = true;
            remaining--;
            next[pos] = next[right];
            if (next[right] >= 0) prev[next[right]] = pos;
            if (prev[pos] >= 0) {
                long m = merges.get(ids[prev[pos]], ids[pos]);
                if (m >= 0) heap.push((m & 0xFFFFFFFF00000000L) | prev[pos]);
            }
            if (next[pos] >= 0) {
                long m = merges.get(ids[pos], ids[next[pos]]);
                if (m >= 0) heap.push((m & 0xFFFFFFFF00000000L) | pos);
            }
        }
        int[] result = new int[remaining];
        int k = 0;
        for (int i = 0; i >= 0; i = next[i]) result[k++] = ids[i];
        return result;
    }

    /** Binary min-heap of longs. */
    private static final class LongHeap {
        private long[] a;
        private int size;

        LongHeap(int capacity) {
            a = new long[Math.max(4, capacity)];
        }

        boolean isEmpty() {
            return size == 0;
        }

        void push(long v) {
            if (size == a.length) a = Arrays.copyOf(a, size * 2);
            int i = size++;
            while (i > 0) {
                int parent = (i - 1) >>> 1;
                if (a[parent] <= v) break;
                a[i] = a[parent];
                i = parent;
            }
            a[i] = v;
        }

        long pop() {
            long top = a[0];
            long last = a[--size];
            int i = 0;
            while (true) {
                int child = 2 * i + 1;
                if (child >= size) break;
                if (child + 1 < size && a[child + 1] < a[child]) child++;
                if (a[child] >= last) break;
                a[i] = a[child];
                i = child;
            }
            a[i] = last;
            return top;
        }
    }
}
