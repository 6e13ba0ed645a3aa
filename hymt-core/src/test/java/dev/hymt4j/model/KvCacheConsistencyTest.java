package dev.hymt4j.model;

import dev.hymt4j.testing.TestData;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KvCacheConsistencyTest {
    static final int[] IDS = {1, 17, 250, 33, 4, 400, 12, 90, 90, 7, 511, 64, 2};

    @Test
    void incrementalDecodeEqualsTheFullSequenceForward() throws Exception {
        try (HunyuanModel model = HunyuanModel.load(TestData.path("golden/tiny-tied"))) {
            ForwardResult full = model.forward(IDS, ForwardOptions.ALL_LOGITS);
            // Start the cache with 5 tokens, with a small initial cap so that it has to grow.
            KvCache cache = model.newCache(1, 64);
            ForwardResult step = model.forward(new int[][]{Arrays.copyOf(IDS, 5)}, null, cache, ForwardOptions.LAST_LOGITS);
            for (int t = 4; t < IDS.length; t++) {
                double e = TestData.relL2(step.logits(0, 0), full.logits(0, t));
                assertTrue(e < 1e-6, "position " + t + ": relative L2 error " + e);
                if (t + 1 < IDS.length) {
                    step = model.forward(new int[][]{{IDS[t + 1]}}, null, cache, ForwardOptions.LAST_LOGITS);
                }
            }
            assertEquals(IDS.length, cache.length());
        }
    }

    @Test
    void aClearedCacheStartsOver() throws Exception {
        try (HunyuanModel model = HunyuanModel.load(TestData.path("golden/tiny-tied"))) {
            KvCache cache = model.newCache(1);
            float[] first = model.forward(new int[][]{IDS}, null, cache, ForwardOptions.LAST_LOGITS).logits();
            cache.clear();
            assertEquals(0, cache.length());
            float[] again = model.forward(new int[][]{IDS}, null, cache, ForwardOptions.LAST_LOGITS).logits();
            assertTrue(TestData.relL2(again, first) < 1e-6);
        }
    }

    @Test
    void theCapIsEnforcedWithAClearMessage() throws Exception {
        try (HunyuanModel model = HunyuanModel.load(TestData.path("golden/tiny-tied"))) {
            KvCache cache = model.newCache(1, 4);
            var e = assertThrows(IllegalStateException.class,
                    () -> model.forward(new int[][]{{1, 2, 3, 4, 5}}, null, cache, ForwardOptions.LAST_LOGITS));
            assertEquals("KV cache full: 0 positions cached + 5 new exceeds the cap of 4", e.getMessage());
        }
    }

    @Test
    void rightPaddingLeavesRealPositionsUnchanged() throws Exception {
        try (HunyuanModel model = HunyuanModel.load(TestData.path("golden/tiny-tied"))) {
            int[] shortIds = Arrays.copyOf(IDS, 6);
            ForwardResult alone = model.forward(shortIds, ForwardOptions.ALL_LOGITS);
            int[][] ids = {IDS, Arrays.copyOf(shortIds, IDS.length)};
            int[][] mask = {ones(IDS.length), Arrays.copyOf(ones(6), IDS.length)};
            ForwardResult batch = model.forward(ids, mask, null, ForwardOptions.ALL_LOGITS);
            for (int t = 0; t < 6; t++) {
                assertTrue(TestData.relL2(batch.logits(1, t), alone.logits(0, t)) < 1e-6, "position " + t);
            }
        }
    }

    static int[] ones(int n) {
        int[] a = new int[n];
        Arrays.fill(a, 1);
        return a;
    }
}
