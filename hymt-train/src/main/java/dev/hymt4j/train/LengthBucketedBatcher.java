package dev.hymt4j.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Length-bucketed micro-batches, as the "megabatch" sampler of transformers' {@code group_by_length}: shuffle all
 * examples, cut the permutation into mega-batches of {@code megaBatchFactor × batchSize}, sort each by length
 * (longest first) and cut it into batches, then shuffle the order of all batches. Sequences of like length share a
 * batch, so dynamic padding wastes little, while batch order stays random.
 *
 * <p>The batches of an epoch are a pure function of (seed, epoch): each epoch's two shuffles use streams
 * {@link Rng#derive derived} from them. Nothing but the {@link BatchPosition} needs saving to resume. The last
 * batch of an epoch may be smaller (no drop_last).
 */
public final class LengthBucketedBatcher {
    public static final int DEFAULT_MEGA_BATCH_FACTOR = 50;

    private static final long EXAMPLE_SHUFFLE = 1;
    private static final long BATCH_SHUFFLE = 2;

    private final LengthAware data;
    private final int batchSize;
    private final int megaBatchFactor;
    private final long seed;

    public LengthBucketedBatcher(LengthAware data, int batchSize, long seed) {
        this(data, batchSize, DEFAULT_MEGA_BATCH_FACTOR, seed);
    }

    public LengthBucketedBatcher(LengthAware data, int batchSize, int megaBatchFactor, long seed) {
        if (batchSize < 1 || megaBatchFactor < 1) {
            throw new IllegalArgumentException("batch size " + batchSize + " and mega-batch factor " + megaBatchFactor
                    + " must be >= 1");
        }
        if (data.size() == 0) throw new IllegalArgumentException("no training examples");
        this.data = data;
        this.batchSize = batchSize;
        this.megaBatchFactor = megaBatchFactor;
        this.seed = seed;
    }

    public int batchesPerEpoch() {
        return Math.ceilDiv(data.size(), batchSize);
    }

    /** All batches of {@code epoch}, in training order. */
    public List<Batch> epoch(int epoch) {
        int[] order = IntStream.range(0, data.size()).toArray();
        Rng.derive(seed, EXAMPLE_SHUFFLE, epoch).shuffle(order);

        List<Batch> batches = new ArrayList<>(batchesPerEpoch());
        int mega = megaBatchFactor * batchSize;
        for (int from = 0; from < order.length; from += mega) {
            Integer[] chunk = Arrays.stream(order, from, Math.min(order.length, from + mega)).boxed().toArray(Integer[]::new);
            // Stable sort: ties keep their shuffled order, so the result depends on nothing but (seed, epoch).
            Arrays.sort(chunk, Comparator.comparingInt((Integer i) -> data.length(i)).reversed());
            for (int b = 0; b < chunk.length; b += batchSize) {
                int[] indices = new int[Math.min(batchSize, chunk.length - b)];
                int longest = 0;
                for (int k = 0; k < indices.length; k++) {
                    indices[k] = chunk[b + k];
                    longest = Math.max(longest, data.length(indices[k]));
                }
                batches.add(new Batch(indices, longest));
            }
        }
        int[] batchOrder = IntStream.range(0, batches.size()).toArray();
        Rng.derive(seed, BATCH_SHUFFLE, epoch).shuffle(batchOrder);
        List<Batch> shuffled = new ArrayList<>(batches.size());
        for (int i : batchOrder) shuffled.add(batches.get(i));
        return List.copyOf(shuffled);
    }

    /** An endless iterator over batches, epoch after epoch, starting at {@code start}. */
    public Cursor cursor(BatchPosition start) {
        return new Cursor(start);
    }

    /** Serves batches in order and knows its {@link #position()}; an epoch's list is built when first needed. */
    public final class Cursor {
        private int epoch;
        private int batchIndex;
        private List<Batch> current;

        private Cursor(BatchPosition start) {
            if (start.batchIndex() > batchesPerEpoch()) {
                throw new IllegalArgumentException("batch position " + start + " is past the " + batchesPerEpoch()
                        + " batches of an epoch; was the data set or batch size changed since the checkpoint?");
            }
            this.epoch = start.epoch();
            this.batchIndex = start.batchIndex();
        }

        public Batch next() {
            if (batchIndex == batchesPerEpoch()) {
                epoch++;
                batchIndex = 0;
                current = null;
            }
            if (current == null) current = epoch(epoch);
            return current.get(batchIndex++);
        }

        /** The position of the batch {@link #next()} will return: what a checkpoint saves. */
        public BatchPosition position() {
            if (batchIndex == batchesPerEpoch()) return new BatchPosition(epoch + 1, 0);
            return new BatchPosition(epoch, batchIndex);
        }

        /** Fractional epochs completed, as transformers logs {@code epoch}. */
        public double epochProgress() {
            return epoch + (double) batchIndex / batchesPerEpoch();
        }
    }
}
