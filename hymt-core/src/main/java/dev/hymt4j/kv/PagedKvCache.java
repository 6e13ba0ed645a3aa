package dev.hymt4j.kv;

import dev.hymt4j.model.ModelConfig;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The keys and values of every sequence an engine runs (spec §2.4 step 5: post-RoPE, post-norm keys and raw
 * values), in fixed-size blocks from a pool with a memory budget. A block holds {@code blockSize} slots of all
 * layers: layer {@code l}'s keys at {@link #keyOffset(int)}, its values at {@link #valueOffset(int)}, each slot
 * {@code kvDim} floats. Block arrays are allocated on first use (so a large budget costs nothing until used)
 * and recycled afterwards; the budget caps how many can exist.
 *
 * <p><b>Prefix caching.</b> A full block of prompt tokens can be registered under the chain hash of its tokens,
 * everything before them and the adapter that computed them; a later prompt with the same prefix takes those
 * blocks instead of computing them (reference counts). A registered block nobody uses is kept, and evicted in
 * least-recently-used order only when a new block is needed. Because every sequence's keys and values are
 * bit-identical whatever else was in the batch (batch invariance), a reused block holds exactly what the
 * sequence would have computed itself. Registration verifies tokens, so a hash collision cannot mix prompts.
 *
 * <p>Not thread-safe: the engine that owns it serializes access.
 */
public final class PagedKvCache {
    private static final int NONE = -1;

    private final int layers, kvDim, blockSize, capacity;
    private final long bytesPerBlock;
    private final boolean prefixCaching;
    /** [block] → its storage {@code [layers][keys, values][blockSize][kvDim]}, null until first used. */
    private final float[][] blocks;
    /** Block base offsets for {@code dev.hymt4j.ops.KvLayout}: every block starts its own array. */
    private final int[] zeroBases;
    private final int[] refCount;
    /** Blocks ready for use that hold nothing cached (a stack), and how many ids were never handed out. */
    private final int[] free;
    private int freeCount, neverUsed;
    // Prefix cache: registered blocks by chain hash, their tokens and hash, and an LRU list of unused ones.
    private final Map<Long, Integer> byHash = new HashMap<>();
    private final long[] blockHash;
    private final boolean[] registered;
    private final int[][] blockTokens;
    private final long[] blockSalt;
    private final int[] lruPrev, lruNext;
    private int lruHead = NONE, lruTail = NONE, evictable;
    private long hits, misses, evictions;

    /**
     * @param budgetBytes the most memory the block arrays may take (at least one block is always allowed)
     */
    public PagedKvCache(ModelConfig config, int blockSize, long budgetBytes, boolean prefixCaching) {
        if (blockSize < 1) throw new IllegalArgumentException("blockSize must be ≥ 1, got " + blockSize);
        this.layers = config.numLayers();
        this.kvDim = config.kvDim();
        this.blockSize = blockSize;
        this.prefixCaching = prefixCaching;
        long floatsPerBlock = 2L * layers * blockSize * kvDim;
        if (floatsPerBlock > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("blockSize " + blockSize + " is too large for one block array of this model");
        }
        this.bytesPerBlock = floatsPerBlock * Float.BYTES;
        this.capacity = (int) Math.max(1, Math.min(Integer.MAX_VALUE - 16, budgetBytes / bytesPerBlock));
        this.blocks = new float[capacity][];
        this.zeroBases = new int[capacity];
        this.refCount = new int[capacity];
        this.free = new int[capacity];
        this.neverUsed = capacity;
        this.blockHash = new long[capacity];
        this.registered = new boolean[capacity];
        this.blockTokens = new int[capacity][];
        this.blockSalt = new long[capacity];
        this.lruPrev = new int[capacity];
        this.lruNext = new int[capacity];
    }

    /** float32 keys and values of one token across all layers: 2 · layers · kvDim · 4 bytes. */
    public static long bytesPerToken(int layers, int kvDim) {
        return 2L * layers * kvDim * Float.BYTES;
    }

    public int blockSize() {
        return blockSize;
    }

    public long bytesPerBlock() {
        return bytesPerBlock;
    }

    /** Blocks the budget allows. */
    public int capacity() {
        return capacity;
    }

    public boolean prefixCaching() {
        return prefixCaching;
    }

    /** Blocks referenced by at least one sequence. */
    public int usedBlocks() {
        return capacity - freeCount - neverUsed - evictable;
    }

    /** Blocks kept for the prefix cache that no sequence uses (evicted when space is needed). */
    public int cachedBlocks() {
        return evictable;
    }

    /** Blocks a sequence could get now: free ones plus evictable cached ones. */
    public int availableBlocks() {
        return freeCount + neverUsed + evictable;
    }

    /** Block arrays allocated so far (memory in use is this times {@link #bytesPerBlock()}). */
    public int allocatedBlocks() {
        return capacity - neverUsed;
    }

    public long prefixHits() {
        return hits;
    }

    public long prefixMisses() {
        return misses;
    }

    public long evictions() {
        return evictions;
    }

    /** Blocks needed to hold {@code tokens} slots. */
    public int blocksFor(int tokens) {
        return (tokens + blockSize - 1) / blockSize;
    }

    /** Offset of layer {@code l}'s keys inside a block array. */
    public int keyOffset(int layer) {
        return layer * 2 * blockSize * kvDim;
    }

    /** Offset of layer {@code l}'s values inside a block array. */
    public int valueOffset(int layer) {
        return keyOffset(layer) + blockSize * kvDim;
    }

    /** The block arrays by id (entries of unused ids may be null); the model reads and writes slots here. */
    public float[][] blockArrays() {
        return blocks;
    }

    /** All zeros, one per block: every block starts at offset 0 of its own array. */
    public int[] blockBases() {
        return zeroBases;
    }

    /**
     * Grows {@code table} to cover {@code tokens} slots. All or nothing: returns false, changing nothing, when
     * the pool cannot provide the blocks (after evicting every unused cached block).
     */
    public boolean reserve(BlockTable table, int tokens) {
        int needed = blocksFor(tokens) - table.size();
        if (needed <= 0) return true;
        if (needed > availableBlocks()) return false;
        for (int i = 0; i < needed; i++) table.add(take());
        return true;
    }

    /** Returns every block of {@code table} (cached ones stay in the prefix cache, unused) and empties it. */
    public void release(BlockTable table) {
        for (int i = 0; i < table.size(); i++) {
            int b = table.blocks()[i];
            if (--refCount[b] > 0) continue;
            if (registered[b]) lruAppend(b);
            else free[freeCount++] = b;
        }
        table.clear();
    }

    /**
     * Takes the cached blocks that hold a prefix of {@code tokens}: full blocks only, at most
     * {@code maxTokens} tokens (so that the sequence computes at least its last prompt token itself). The
     * table must be empty. Returns the number of tokens reused. Counts one hit per block taken and one miss
     * per full block of the usable prefix not found.
     *
     * @param salt identifies what computed the values besides the tokens (the adapter), 0 for the base model
     */
    public int claimPrefix(BlockTable table, int[] tokens, int maxTokens, long salt) {
        if (!prefixCaching || table.size() != 0) return 0;
        int full = maxTokens / blockSize;
        long hash = salt;
        int matched = 0;
        for (int i = 0; i < full; i++) {
            hash = chain(hash, tokens, i * blockSize);
            Integer b = byHash.get(hash);
            if (b == null || !holds(b, tokens, i * blockSize, salt)) break;
            if (refCount[b] == 0) lruRemove(b);
            refCount[b]++;
            table.add(b);
            table.hashes[i] = hash;
            matched++;
        }
        table.hashed = matched;
        hits += matched;
        misses += full - matched;
        return matched * blockSize;
    }

    /**
     * Registers the full blocks of {@code table} that hold prompt tokens only ({@code tokens[0, promptTokens)}),
     * up to {@code computedTokens} (those whose keys and values are written), so that later prompts can reuse
     * them. A block whose content another block already caches stays private.
     */
    public void registerPrefix(BlockTable table, int[] tokens, int promptTokens, int computedTokens, long salt) {
        if (!prefixCaching) return;
        int full = Math.min(promptTokens, computedTokens) / blockSize;
        for (int i = table.hashed; i < full; i++) {
            long hash = chain(i == 0 ? salt : table.hashes[i - 1], tokens, i * blockSize);
            table.hashes[i] = hash;
            int b = table.blocks()[i];
            if (!byHash.containsKey(hash) && !registered[b]) {
                byHash.put(hash, b);
                blockHash[b] = hash;
                blockSalt[b] = salt;
                if (blockTokens[b] == null) blockTokens[b] = new int[blockSize];
                System.arraycopy(tokens, i * blockSize, blockTokens[b], 0, blockSize);
                registered[b] = true;
            }
        }
        table.hashed = Math.max(table.hashed, full);
    }

    /** Forgets every unused cached block (they become free). */
    public void clearPrefixCache() {
        while (lruHead != NONE) {
            int b = lruHead;
            lruRemove(b);
            unregister(b);
            free[freeCount++] = b;
        }
    }

    private boolean holds(int b, int[] tokens, int from, long salt) {
        return registered[b] && blockSalt[b] == salt && Arrays.equals(blockTokens[b], 0, blockSize, tokens, from, from + blockSize);
    }

    /** A block for a sequence: a free one, a new one, or the least recently used cached one. */
    private int take() {
        int b;
        if (freeCount > 0) {
            b = free[--freeCount];
        } else if (neverUsed > 0) {
            b = capacity - neverUsed--;
            blocks[b] = new float[(int) (bytesPerBlock / Float.BYTES)];
        } else {
            b = lruHead;
            lruRemove(b);
            unregister(b);
            evictions++;
        }
        refCount[b] = 1;
        return b;
    }

    private void unregister(int b) {
        byHash.remove(blockHash[b], b);
        registered[b] = false;
    }

    /** The hash of a block of tokens after a prefix of hash {@code parent} (SplitMix64 steps over the ids). */
    private long chain(long parent, int[] tokens, int from) {
        long h = parent;
        for (int i = from; i < from + blockSize; i++) {
            h = (h ^ tokens[i]) * 0x9E3779B97F4A7C15L;
            h ^= h >>> 31;
        }
        h = (h ^ (h >>> 30)) * 0xBF58476D1CE4E5B9L;
        h = (h ^ (h >>> 27)) * 0x94D049BB133111EBL;
        return h ^ (h >>> 31);
    }

    private void lruAppend(int b) {
        lruPrev[b] = lruTail;
        lruNext[b] = NONE;
        if (lruTail != NONE) lruNext[lruTail] = b;
        else lruHead = b;
        lruTail = b;
        evictable++;
    }

    private void lruRemove(int b) {
        if (lruPrev[b] != NONE) lruNext[lruPrev[b]] = lruNext[b];
        else lruHead = lruNext[b];
        if (lruNext[b] != NONE) lruPrev[lruNext[b]] = lruPrev[b];
        else lruTail = lruPrev[b];
        evictable--;
    }
}
