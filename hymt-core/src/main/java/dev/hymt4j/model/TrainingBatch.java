package dev.hymt4j.model;

import dev.hymt4j.safetensors.SafetensorsFile;
import dev.hymt4j.safetensors.TensorInfo;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A padded training batch {@code [size, length]}: token ids, attention mask (1 = real token) and labels
 * ({@code -100} = no loss), flattened row-major. Labels are unshifted, as transformers takes them: the logits at
 * {@code t} predict {@code labels[t + 1]}.
 *
 * <p>Positions come from the mask, {@code cumsum(mask) − 1} clamped at 0. For a right-padded batch (the training
 * convention, and the golden batch) this is {@code arange(T)} for every row — exactly what transformers uses in
 * training when no {@code position_ids} are passed; for a left-padded batch it equals the position ids that
 * transformers' generation derives from the mask, so real tokens always start at position 0.
 */
public record TrainingBatch(int size, int length, int[] inputIds, int[] attentionMask, int[] labels) {
    public static final int IGNORE_INDEX = -100;

    public TrainingBatch {
        int n = size * length;
        if (size <= 0 || length <= 0) throw new IllegalArgumentException("empty batch [" + size + ", " + length + "]");
        if (inputIds.length != n || attentionMask.length != n || labels.length != n) {
            throw new IllegalArgumentException("batch [" + size + ", " + length + "] needs " + n + " ids, mask entries and labels");
        }
    }

    /** One unpadded sequence whose every next token is a label (a plain language-modelling example). */
    public static TrainingBatch ofSequence(int[] ids) {
        int[] mask = new int[ids.length];
        Arrays.fill(mask, 1);
        return new TrainingBatch(1, ids.length, ids.clone(), mask, ids.clone());
    }

    /**
     * Reads a batch file: safetensors with {@code input_ids}, {@code labels} and optionally
     * {@code attention_mask} (default all ones), integer tensors of shape {@code [B, T]}.
     */
    public static TrainingBatch load(Path file) throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            TensorInfo ids = f.info("input_ids");
            if (ids.shape().length != 2) throw new IOException(file + ": input_ids must be [batch, length], got " + ids.shapeString());
            int b = (int) ids.shape()[0], t = (int) ids.shape()[1];
            int[] mask = new int[b * t];
            Arrays.fill(mask, 1);
            if (f.contains("attention_mask")) mask = ints(f, "attention_mask", ids);
            if (!f.contains("labels")) throw new IOException(file + ": missing tensor 'labels'");
            return new TrainingBatch(b, t, ints(f, "input_ids", ids), mask, ints(f, "labels", ids));
        }
    }

    private static int[] ints(SafetensorsFile f, String name, TensorInfo like) throws IOException {
        TensorInfo t = f.info(name);
        if (!Arrays.equals(t.shape(), like.shape())) {
            throw new IOException(f.path() + ": " + name + " has shape " + t.shapeString() + " but input_ids has " + like.shapeString());
        }
        return Arrays.stream(f.readLongs(name)).mapToInt(Math::toIntExact).toArray();
    }

    public int tokens() {
        return size * length;
    }

    /** {@code cumsum(mask) − 1}, clamped at 0, per row. */
    public int[] positions() {
        int[] pos = new int[tokens()];
        for (int b = 0; b < size; b++) {
            int seen = 0;
            for (int t = 0; t < length; t++) {
                seen += attentionMask[b * length + t];
                pos[b * length + t] = Math.max(0, seen - 1);
            }
        }
        return pos;
    }

    /** The number of positions that carry a loss (label ≠ −100 after the causal shift). */
    public int targetCount() {
        int n = 0;
        for (int b = 0; b < size; b++) for (int t = 0; t + 1 < length; t++) if (labels[b * length + t + 1] != IGNORE_INDEX) n++;
        return n;
    }
}
