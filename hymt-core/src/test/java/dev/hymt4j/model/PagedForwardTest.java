package dev.hymt4j.model;

import dev.hymt4j.kv.BlockTable;
import dev.hymt4j.kv.PagedKvCache;
import dev.hymt4j.testing.TestData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The ragged forward pass over the paged KV cache, on golden/tiny-tied. */
class PagedForwardTest {
    static final int[] IDS = {1, 17, 250, 33, 4, 400, 12, 90, 90, 7, 511, 64, 2};
    static HunyuanModel model;

    @BeforeAll
    static void open() throws Exception {
        model = HunyuanModel.load(TestData.path("golden/tiny-tied"));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    static PagedKvCache cache(int blockSize, int blocks) {
        ModelConfig c = model.config();
        return new PagedKvCache(c, blockSize, blocks * blockSize * PagedKvCache.bytesPerToken(c.numLayers(), c.kvDim()), false);
    }

    /** Prefill of 5 tokens, then one token per step across block boundaries: the full forward's logits, bit for bit. */
    @Test
    void incrementalDecodeEqualsTheFullSequenceForward() {
        ForwardResult full = model.forward(IDS, ForwardOptions.ALL_LOGITS);
        PagedKvCache cache = cache(4, 8);
        BlockTable table = new BlockTable();
        StepBatch batch = new StepBatch();
        for (int cached = 0; cached < IDS.length; ) {
            int count = cached == 0 ? 5 : 1;
            assertTrue(cache.reserve(table, cached + count));
            batch.clear();
            batch.add(IDS, cached, count, cached, table, StepBatch.Logits.LAST, null);
            StepOutput out = model.forward(batch, cache);
            cached += count;
            assertArrayEquals(full.logits(0, cached - 1), out.copyRow(out.row(0)), "position " + (cached - 1));
        }
        assertEquals(4, table.size());
    }

    /** The same sequence in a step alone and among others (longer, shorter, in another order) gives the same bits. */
    @Test
    void aSequencesLogitsDoNotDependOnTheOtherSequencesOfTheStep() {
        int[] other = {9, 8, 7, 6, 5, 4, 3, 2, 1, 300, 301, 302, 303, 304, 305, 306, 307};
        float[] alone = run(new int[][]{IDS}, 0);
        assertArrayEquals(alone, run(new int[][]{other, IDS, {42}}, 1));
        assertArrayEquals(alone, run(new int[][]{IDS, other}, 0));
    }

    /** All logits of sequence {@code which} in a one-step prefill of {@code sequences}. */
    private static float[] run(int[][] sequences, int which) {
        PagedKvCache cache = cache(4, 16);
        StepBatch batch = new StepBatch();
        for (int[] ids : sequences) {
            BlockTable table = new BlockTable();
            assertTrue(cache.reserve(table, ids.length));
            batch.add(ids, 0, ids.length, 0, table, StepBatch.Logits.ALL, null);
        }
        StepOutput out = model.forward(batch, cache);
        int first = out.row(which) * out.vocab();
        return Arrays.copyOfRange(out.logits(), first, first + out.rowCount(which) * out.vocab());
    }

    @Test
    void releasedBlocksAreReusedAndGiveTheSameResult() {
        PagedKvCache cache = cache(4, 4);
        BlockTable table = new BlockTable();
        StepBatch batch = new StepBatch();
        float[][] results = new float[2][];
        for (int run = 0; run < 2; run++) {
            assertTrue(cache.reserve(table, IDS.length));
            batch.clear();
            batch.add(IDS, 0, IDS.length, 0, table, StepBatch.Logits.LAST, null);
            StepOutput out = model.forward(batch, cache);
            results[run] = out.copyRow(out.row(0));
            assertEquals(4, cache.usedBlocks());
            cache.release(table);
            assertEquals(0, cache.usedBlocks());
            assertEquals(4, cache.availableBlocks());
        }
        assertArrayEquals(results[0], results[1]);
        assertEquals(4, cache.allocatedBlocks(), "the second run reused the first run's arrays");
    }

    @Test
    void theBudgetIsEnforcedAllOrNothing() {
        PagedKvCache cache = cache(4, 3);
        BlockTable table = new BlockTable();
        assertFalse(cache.reserve(table, 13), "13 tokens need 4 blocks of 4");
        assertEquals(0, table.size());
        assertTrue(cache.reserve(table, 12));
        StepBatch batch = new StepBatch();
        batch.add(IDS, 0, 13, 0, table, StepBatch.Logits.LAST, null);
        var e = assertThrows(IllegalArgumentException.class, () -> model.forward(batch, cache));
        assertEquals("sequence 0 of the step needs slots up to 13 but its block table covers 12", e.getMessage());
    }
}
