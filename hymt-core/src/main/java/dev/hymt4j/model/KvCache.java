package dev.hymt4j.model;

import java.util.Arrays;

/**
 * The keys and values every layer has seen, for a batch of sequences that advance together (spec §2.4 step
 * 5: post-RoPE, post-norm keys and raw values). Storage grows on demand by doubling, up to a cap, because a
 * full-length cache of the 1.8B model (262144 positions) would be 32 GiB in float32.
 *
 * <p>Each row also remembers which cached positions are real tokens (attention-mask 1) and how many there
 * were, which is where the next position id comes from (mask cumsum − 1, clamped at 0).
 */
public final class KvCache {
    private static final int INITIAL_CAPACITY = 64;

    private final int layers, batch, kvDim, maxTokens;
    /** [layer][row] → [capacity · kvDim], position-major. */
    private final float[][][] keys, values;
    /** [row] → [capacity]: 1 where the cached position is a real token. */
    private final byte[][] mask;
    /** [row]: real tokens seen so far. */
    private final int[] realTokens;
    private int length, capacity;

    public KvCache(ModelConfig config, int batch, int maxTokens) {
        if (batch < 1) throw new IllegalArgumentException("batch must be ≥ 1, got " + batch);
        if (maxTokens < 1) throw new IllegalArgumentException("maxTokens must be ≥ 1, got " + maxTokens);
        this.layers = config.numLayers();
        this.batch = batch;
        this.kvDim = config.kvDim();
        this.maxTokens = maxTokens;
        this.keys = new float[layers][batch][0];
        this.values = new float[layers][batch][0];
        this.mask = new byte[batch][0];
        this.realTokens = new int[batch];
    }

    public int batch() {
        return batch;
    }

    /** Positions held per row (real and padding alike). */
    public int length() {
        return length;
    }

    public int maxTokens() {
        return maxTokens;
    }

    /** float32 keys and values of one token across all layers: 2 · layers · kvDim · 4 bytes. */
    public static long bytesPerToken(int layers, int kvDim) {
        return 2L * layers * kvDim * Float.BYTES;
    }

    /** Forgets every cached position, keeping the allocated storage for the next sequences. */
    public void clear() {
        length = 0;
        Arrays.fill(realTokens, 0);
    }

    /** Makes room for {@code extra} more positions, or fails naming the cap. */
    void reserve(int extra) {
        int needed = length + extra;
        if (needed > maxTokens) {
            throw new IllegalStateException("KV cache full: " + length + " positions cached + " + extra + " new exceeds the cap of "
                    + maxTokens);
        }
        if (needed <= capacity) return;
        int grown = Math.min(maxTokens, Math.max(needed, Math.max(INITIAL_CAPACITY, capacity * 2)));
        for (int l = 0; l < layers; l++) {
            for (int b = 0; b < batch; b++) {
                keys[l][b] = Arrays.copyOf(keys[l][b], grown * kvDim);
                values[l][b] = Arrays.copyOf(values[l][b], grown * kvDim);
            }
        }
        for (int b = 0; b < batch; b++) mask[b] = Arrays.copyOf(mask[b], grown);
        capacity = grown;
    }

    float[] keys(int layer, int row) {
        return keys[layer][row];
    }

    float[] values(int layer, int row) {
        return values[layer][row];
    }

    byte[] mask(int row) {
        return mask[row];
    }

    int realTokens(int row) {
        return realTokens[row];
    }

    /**
     * Claims {@code count} new positions per row with their attention mask; layers then store their keys and
     * values at indices {@code [length() − count, length())}.
     */
    void append(int[][] newMask, int count) {
        reserve(count);
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < count; t++) {
                byte m = (byte) newMask[b][t];
                mask[b][length + t] = m;
                realTokens[b] += m;
            }
        }
        length += count;
    }
}
