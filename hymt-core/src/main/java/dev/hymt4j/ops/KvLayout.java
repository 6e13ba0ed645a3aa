package dev.hymt4j.ops;

/**
 * Which keys each query token of an attention call sees, and where those keys and values are stored.
 *
 * <p>Storage is a set of blocks of {@code blockSize} slots; a sequence is a table of block ids, slot {@code j}
 * living in block {@code table[j / blockSize]} at position {@code j % blockSize}. Within block {@code b} the
 * key of a slot starts at {@code blockBase[b] + keyOffset + (j % blockSize)·kvDim} of {@code keyArrays[b]},
 * its value likewise in {@code valueArrays[b]}. The paged KV cache gives each block its own array (the layer
 * picks the offsets); a training batch is one block per row over the layer's own {@code k}, {@code v}
 * activations ({@link #ofBatch}), so both run the same attention code.
 *
 * <p>Query tokens are those of the step, concatenated by sequence: sequence {@code s} owns tokens
 * {@code [queryStart[s], queryStart[s+1])}, the first of them at slot {@code firstSlot[s]}, and a query at slot
 * {@code j} sees the slots {@code 0..j} of its sequence whose {@code keyMask} entry is 1 (no mask: all).
 */
public final class KvLayout {
    float[][] keyArrays, valueArrays;
    int[] blockBase;
    int blockSize, keyOffset, valueOffset;
    int sequences;
    int[][] tables;
    int[] queryStart, firstSlot;
    /** [tokens]: the sequence of each query token; derived from queryStart. */
    int[] querySeq = new int[0];
    int[] keyMask;
    int maskStride;

    /**
     * A padded training batch {@code [batch, len]} whose keys and values are the activations {@code k, v
     * [batch·len, kvDim]} themselves, with its attention mask {@code [batch·len]} (1 = real token).
     */
    public static KvLayout ofBatch(float[] k, float[] v, int[] mask, int batch, int len, int kvDim) {
        KvLayout l = new KvLayout();
        l.keyArrays = new float[batch][];
        l.valueArrays = new float[batch][];
        l.blockBase = new int[batch];
        l.tables = new int[batch][];
        l.queryStart = new int[batch + 1];
        l.firstSlot = new int[batch];
        for (int b = 0; b < batch; b++) {
            l.keyArrays[b] = k;
            l.valueArrays[b] = v;
            l.blockBase[b] = b * len * kvDim;
            l.tables[b] = new int[]{b};
            l.queryStart[b + 1] = (b + 1) * len;
        }
        l.blockSize = len;
        l.sequences = batch;
        l.keyMask = mask;
        l.maskStride = len;
        l.deriveQuerySequences();
        return l;
    }

    /** An empty layout that a paged cache fills per step ({@link #setPaged}). */
    public KvLayout() {}

    /**
     * Points the layout at paged storage: {@code blocks[b]} holds block {@code b}, and sequence {@code s} has
     * queries {@code [queryStart[s], queryStart[s+1])} starting at slot {@code firstSlot[s]}, stored per
     * {@code tables[s]}. The arrays are used as given (not copied): callers reuse them between steps.
     */
    public void setPaged(float[][] blocks, int[] zeroBases, int blockSize, int sequences, int[][] tables, int[] queryStart,
                         int[] firstSlot) {
        this.keyArrays = blocks;
        this.valueArrays = blocks;
        this.blockBase = zeroBases;
        this.blockSize = blockSize;
        this.sequences = sequences;
        this.tables = tables;
        this.queryStart = queryStart;
        this.firstSlot = firstSlot;
        this.keyMask = null;
        deriveQuerySequences();
    }

    /** Selects the layer: offsets of its keys and values inside each block. */
    public void setOffsets(int keyOffset, int valueOffset) {
        this.keyOffset = keyOffset;
        this.valueOffset = valueOffset;
    }

    public int tokens() {
        return queryStart[sequences];
    }

    private void deriveQuerySequences() {
        int n = queryStart[sequences];
        if (querySeq.length < n) querySeq = new int[Math.max(n, 2 * querySeq.length)];
        for (int s = 0; s < sequences; s++) {
            for (int t = queryStart[s]; t < queryStart[s + 1]; t++) querySeq[t] = s;
        }
    }

    /** The slot of query token {@code t}. */
    int slotOf(int t) {
        int s = querySeq[t];
        return firstSlot[s] + t - queryStart[s];
    }

    /**
     * Copies the keys and values {@code k, v [tokens, kvDim]} of the step's tokens into their slots (for
     * storage that is not the activations themselves, i.e. the paged cache).
     */
    public void store(float[] k, float[] v, int kvDim) {
        int n = tokens();
        for (int t = 0; t < n; t++) {
            int s = querySeq[t], j = slotOf(t), b = tables[s][j / blockSize];
            int at = blockBase[b] + (j % blockSize) * kvDim;
            System.arraycopy(k, t * kvDim, keyArrays[b], at + keyOffset, kvDim);
            System.arraycopy(v, t * kvDim, valueArrays[b], at + valueOffset, kvDim);
        }
    }
}
