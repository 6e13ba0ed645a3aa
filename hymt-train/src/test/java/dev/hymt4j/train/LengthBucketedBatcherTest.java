package dev.hymt4j.train;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class LengthBucketedBatcherTest {
    /** 1000 examples with lengths 8..263, in no particular order. */
    static final LengthAware DATA = new LengthAware() {
        public int size() { return 1000; }
        public int length(int i) { return 8 + (int) Math.floorMod(i * 2654435761L, 256); }
    };

    @Test
    void everyExampleOnceAnEpochWithDynamicPadding() {
        LengthBucketedBatcher b = new LengthBucketedBatcher(DATA, 4, 42);
        List<Batch> epoch = b.epoch(0);
        assertEquals(250, epoch.size());
        assertEquals(250, b.batchesPerEpoch());
        int[] seen = new int[DATA.size()];
        for (Batch batch : epoch) {
            int longest = 0;
            for (int i : batch.indices()) {
                seen[i]++;
                longest = Math.max(longest, DATA.length(i));
            }
            assertEquals(longest, batch.paddedLength(), "padded to the batch's longest, not max_seq_len");
        }
        for (int s : seen) assertEquals(1, s);
    }

    @Test
    void bucketingCutsPaddingAndBatchOrderIsShuffled() {
        LengthBucketedBatcher b = new LengthBucketedBatcher(DATA, 4, 42);
        List<Batch> epoch = b.epoch(0);
        long padded = 0, real = 0;
        for (Batch batch : epoch) {
            padded += batch.paddedTokens();
            for (int i : batch.indices()) real += DATA.length(i);
        }
        assertTrue(padded < real * 1.05, "sorted mega-batches pad little: " + padded + " vs " + real);
        // batch order is not the sorted order: lengths of consecutive batches go up as well as down
        int ups = 0;
        for (int i = 1; i < epoch.size(); i++) if (epoch.get(i).paddedLength() > epoch.get(i - 1).paddedLength()) ups++;
        assertTrue(ups > 50 && ups < 200, "ups " + ups);
    }

    @Test
    void deterministicPerSeedAndEpoch() {
        LengthBucketedBatcher a = new LengthBucketedBatcher(DATA, 4, 42);
        LengthBucketedBatcher again = new LengthBucketedBatcher(DATA, 4, 42);
        assertEquals(a.epoch(3), again.epoch(3));
        assertNotEquals(a.epoch(0), a.epoch(1));
        assertNotEquals(a.epoch(0), new LengthBucketedBatcher(DATA, 4, 43).epoch(0));
    }

    @Test
    void lastBatchMayBeSmaller() {
        LengthAware seven = new LengthAware() {
            public int size() { return 7; }
            public int length(int i) { return i + 1; }
        };
        LengthBucketedBatcher b = new LengthBucketedBatcher(seven, 3, 2, 1);
        assertEquals(3, b.batchesPerEpoch());
        int[] sizes = b.epoch(0).stream().mapToInt(Batch::size).sorted().toArray();
        assertArrayEquals(new int[]{1, 3, 3}, sizes);
    }

    @Test
    void cursorResumedFromAPositionServesTheSameBatches() {
        LengthBucketedBatcher b = new LengthBucketedBatcher(DATA, 8, 5);
        LengthBucketedBatcher.Cursor uninterrupted = b.cursor(BatchPosition.START);
        List<Batch> expected = new ArrayList<>();
        for (int i = 0; i < 400; i++) expected.add(uninterrupted.next());

        LengthBucketedBatcher.Cursor first = b.cursor(BatchPosition.START);
        List<Batch> got = new ArrayList<>();
        for (int i = 0; i < 125; i++) got.add(first.next());   // exactly one epoch
        BatchPosition saved = first.position();
        assertEquals(new BatchPosition(1, 0), saved);
        assertEquals(1.0, first.epochProgress(), 1e-12);

        // a fresh batcher, as after a restart
        LengthBucketedBatcher.Cursor resumed = new LengthBucketedBatcher(DATA, 8, 5).cursor(saved);
        for (int i = 0; i < 200; i++) got.add(resumed.next());
        BatchPosition mid = resumed.position();
        assertEquals(new BatchPosition(2, 75), mid);
        LengthBucketedBatcher.Cursor again = b.cursor(mid);
        for (int i = 0; i < 75; i++) got.add(again.next());
        assertEquals(expected, got);
    }

    @Test
    void positionPastTheEpochIsRejected() {
        LengthBucketedBatcher b = new LengthBucketedBatcher(DATA, 8, 5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> b.cursor(new BatchPosition(0, 126)));
        assertTrue(e.getMessage().contains("126"), e.getMessage());
    }
}
