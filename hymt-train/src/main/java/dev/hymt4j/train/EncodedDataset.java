package dev.hymt4j.train;

import dev.hymt4j.data.ParallelExample;
import dev.hymt4j.model.TrainingBatch;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A data set encoded for training: one {@link ExampleEncoder.Sequence} per example that fits {@code max_seq_len}.
 * Longer examples are dropped, not truncated — a cut-off target would teach the model to stop mid-sentence, or
 * (cut before its EOS) never to stop — and counted, so the run can say how many.
 */
public final class EncodedDataset implements LengthAware {
    private final List<ParallelExample> examples;
    private final List<ExampleEncoder.Sequence> sequences;
    private final int dropped;
    private final int padId;

    private EncodedDataset(List<ParallelExample> examples, List<ExampleEncoder.Sequence> sequences, int dropped, int padId) {
        this.examples = List.copyOf(examples);
        this.sequences = List.copyOf(sequences);
        this.dropped = dropped;
        this.padId = padId;
    }

    /** Encodes {@code examples} read from {@code file} (named in errors), dropping those over {@code maxSeqLen} tokens. */
    public static EncodedDataset encode(Path file, List<ParallelExample> examples, ExampleEncoder encoder, int maxSeqLen) {
        List<ParallelExample> kept = new ArrayList<>();
        List<ExampleEncoder.Sequence> sequences = new ArrayList<>();
        int dropped = 0;
        for (int i = 0; i < examples.size(); i++) {
            ExampleEncoder.Sequence s;
            try {
                s = encoder.encode(examples.get(i));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + ": example " + (i + 1) + ": " + e.getMessage(), e);
            }
            if (s.length() > maxSeqLen) {
                dropped++;
                continue;
            }
            kept.add(examples.get(i));
            sequences.add(s);
        }
        if (sequences.isEmpty()) {
            throw new IllegalArgumentException(file + ": all " + examples.size() + " examples are longer than max_seq_len="
                    + maxSeqLen + " tokens (prompt + target + EOS)");
        }
        return new EncodedDataset(kept, sequences, dropped, encoder.eosId());
    }

    @Override
    public int size() {
        return sequences.size();
    }

    @Override
    public int length(int index) {
        return sequences.get(index).length();
    }

    /** The examples kept, aligned with the sequences. */
    public List<ParallelExample> examples() {
        return examples;
    }

    /** Examples dropped for being longer than max_seq_len. */
    public int dropped() {
        return dropped;
    }

    /** Label tokens (target + EOS) over the whole set. */
    public long targetTokens() {
        return sequences.stream().mapToLong(s -> s.length() - s.promptLength()).sum();
    }

    /** The padded training batch of a {@link LengthBucketedBatcher} batch. */
    public TrainingBatch batch(Batch batch) {
        return batch(batch.indices(), batch.paddedLength());
    }

    /**
     * Sequences {@code indices}, right-padded to {@code length} (dynamic padding: the batch's longest, not
     * max_seq_len); labels are the ids on the answer and −100 on the prompt and the padding.
     */
    public TrainingBatch batch(int[] indices, int length) {
        int n = indices.length * length;
        int[] ids = new int[n], mask = new int[n], labels = new int[n];
        Arrays.fill(ids, padId);
        Arrays.fill(labels, TrainingBatch.IGNORE_INDEX);
        for (int b = 0; b < indices.length; b++) {
            ExampleEncoder.Sequence s = sequences.get(indices[b]);
            if (s.length() > length) throw new IllegalArgumentException("sequence of " + s.length() + " tokens in a batch of length " + length);
            int row = b * length;
            System.arraycopy(s.ids(), 0, ids, row, s.length());
            Arrays.fill(mask, row, row + s.length(), 1);
            System.arraycopy(s.ids(), s.promptLength(), labels, row + s.promptLength(), s.length() - s.promptLength());
        }
        return new TrainingBatch(indices.length, length, ids, mask, labels);
    }
}
