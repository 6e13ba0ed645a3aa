package dev.hymt4j.kv;

import dev.hymt4j.model.ModelConfig;
import dev.hymt4j.testing.TinyModels;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Block accounting and prefix caching of the paged KV cache (blocks of 4 tokens). */
class PagedKvCacheTest {
    static final ModelConfig CONFIG = TinyModels.config(61, 16, 2, 2, 1, 8, 24, true, true);
    static final int[] PROMPT = {5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17};

    static PagedKvCache cache(int blocks) {
        return new PagedKvCache(CONFIG, 4, blocks * 4 * PagedKvCache.bytesPerToken(CONFIG.numLayers(), CONFIG.kvDim()), true);
    }

    /** A sequence that computed {@code PROMPT} and registered its full blocks. */
    static BlockTable computed(PagedKvCache cache, int[] prompt, long salt) {
        BlockTable t = new BlockTable();
        assertTrue(cache.reserve(t, prompt.length));
        cache.registerPrefix(t, prompt, prompt.length, prompt.length, salt);
        return t;
    }

    @Test
    void aSharedPrefixReusesFullBlocksAndLeavesTheLastTokenToCompute() {
        PagedKvCache cache = cache(8);
        BlockTable first = computed(cache, PROMPT, 0);
        BlockTable second = new BlockTable();
        // 13 tokens, at most 12 reusable (the last must be computed): the three full blocks.
        assertEquals(12, cache.claimPrefix(second, PROMPT, PROMPT.length - 1, 0));
        assertArrayEquals(java.util.Arrays.copyOf(first.blocks(), 3), java.util.Arrays.copyOf(second.blocks(), 3));
        assertEquals(3, cache.prefixHits());
        assertEquals(4, cache.usedBlocks(), "shared blocks count once");
        // Only whole blocks are shared: a prompt that differs in its 6th token reuses block 0 only.
        int[] other = PROMPT.clone();
        other[5] = 60;
        assertEquals(4, cache.claimPrefix(new BlockTable(), other, other.length - 1, 0));
        // Another adapter (salt) computed other keys and values: nothing is shared.
        assertEquals(0, cache.claimPrefix(new BlockTable(), PROMPT, PROMPT.length - 1, 99));
    }

    @Test
    void unusedCachedBlocksStayUntilSpaceIsNeededThenGoLeastRecentlyUsedFirst() {
        PagedKvCache cache = cache(6);
        BlockTable a = computed(cache, PROMPT, 0);          // 4 blocks, 3 registered
        cache.release(a);
        assertEquals(0, cache.usedBlocks());
        assertEquals(3, cache.cachedBlocks(), "registered blocks are kept");
        assertEquals(6, cache.availableBlocks(), "and still count as available");
        BlockTable b = new BlockTable();
        assertTrue(cache.reserve(b, 4 * 4));                // 3 free blocks + 1 eviction
        assertEquals(1, cache.evictions());
        assertEquals(2, cache.cachedBlocks());
        // The oldest released block (PROMPT's first) went first: the prefix no longer matches from the start.
        assertEquals(0, cache.claimPrefix(new BlockTable(), PROMPT, PROMPT.length - 1, 0));
        cache.release(b);
        cache.clearPrefixCache();
        assertEquals(0, cache.cachedBlocks());
        assertEquals(6, cache.availableBlocks());
    }

    @Test
    void reservingIsAllOrNothingAndReleaseReturnsEveryBlock() {
        PagedKvCache cache = cache(3);
        BlockTable t = new BlockTable();
        assertTrue(cache.reserve(t, 5));
        assertEquals(2, t.size());
        assertTrue(!cache.reserve(t, 13), "13 tokens need 4 blocks, the budget is 3");
        assertEquals(2, t.size());
        cache.release(t);
        assertEquals(0, t.size());
        assertEquals(3, cache.availableBlocks());
        assertEquals(2, cache.allocatedBlocks(), "arrays are allocated on first use only");
    }
}
