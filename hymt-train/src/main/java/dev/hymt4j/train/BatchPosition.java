package dev.hymt4j.train;

/**
 * Where a run is in its data: the next batch to train on is number {@code batchIndex} of epoch {@code epoch}
 * (both 0-based). Saved in checkpoints; {@link LengthBucketedBatcher#cursor(BatchPosition)} continues from it
 * with exactly the batches an uninterrupted run would have seen.
 */
public record BatchPosition(int epoch, int batchIndex) {
    public static final BatchPosition START = new BatchPosition(0, 0);

    public BatchPosition {
        if (epoch < 0 || batchIndex < 0) {
            throw new IllegalArgumentException("batch position must be non-negative: epoch " + epoch + ", batch " + batchIndex);
        }
    }
}
