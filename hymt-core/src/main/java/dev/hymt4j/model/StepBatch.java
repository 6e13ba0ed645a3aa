package dev.hymt4j.model;

import dev.hymt4j.kv.BlockTable;
import dev.hymt4j.lora.LoraAdapter;

import java.util.Arrays;

/**
 * The work of one engine step: for each sequence, its new tokens (a prefill chunk or one decode token), the slot
 * of the first of them (= tokens already cached), its block table, which logits it wants and its LoRA adapter
 * (null = base model). Tokens of all sequences are concatenated in the order added. Reused from step to step,
 * with the activation buffers of the model ({@link #clear()} keeps them), so a steady-state step allocates
 * nothing.
 */
public final class StepBatch {
    /** Which logits a sequence wants from the step. */
    public enum Logits { NONE, LAST, ALL }

    private int sequences, tokens;
    private int[] ids = new int[64];
    private int[] start = new int[9], firstSlot = new int[8];
    private BlockTable[] tables = new BlockTable[8];
    private Logits[] logits = new Logits[8];
    private LoraAdapter[] adapters = new LoraAdapter[8];
    private boolean hiddenStates;
    /** The model's buffers for this batch; created and grown by the model. */
    Object workspace;
    private final StepOutput output = new StepOutput();

    /** Empties the batch for the next step. */
    public void clear() {
        sequences = 0;
        tokens = 0;
        hiddenStates = false;
    }

    /**
     * Adds a sequence's {@code count} new tokens {@code source[from, from + count)}, the first at slot
     * {@code firstSlot}; {@code table} must already cover slots up to {@code firstSlot + count}. Returns its
     * index in the batch.
     */
    public int add(int[] source, int from, int count, int firstSlot, BlockTable table, Logits wanted, LoraAdapter adapter) {
        if (count < 1) throw new IllegalArgumentException("a sequence needs at least one new token, got " + count);
        if (sequences == tables.length) {
            int size = 2 * sequences;
            start = Arrays.copyOf(start, size + 1);
            this.firstSlot = Arrays.copyOf(this.firstSlot, size);
            tables = Arrays.copyOf(tables, size);
            logits = Arrays.copyOf(logits, size);
            adapters = Arrays.copyOf(adapters, size);
        }
        if (tokens + count > ids.length) ids = Arrays.copyOf(ids, Math.max(2 * ids.length, tokens + count));
        System.arraycopy(source, from, ids, tokens, count);
        int s = sequences++;
        start[s] = tokens;
        tokens += count;
        start[s + 1] = tokens;
        this.firstSlot[s] = firstSlot;
        tables[s] = table;
        logits[s] = wanted;
        adapters[s] = adapter;
        return s;
    }

    /** Also return the hidden states of every layer (transformers' {@code output_hidden_states}; for debugging). */
    public void collectHiddenStates() {
        hiddenStates = true;
    }

    public int sequences() {
        return sequences;
    }

    /** New tokens of all sequences. */
    public int tokens() {
        return tokens;
    }

    /** The concatenated new token ids, valid up to {@link #tokens()}. */
    public int[] ids() {
        return ids;
    }

    /** Offsets of each sequence's tokens in {@link #ids()}: {@code [sequences + 1]}. */
    public int[] starts() {
        return start;
    }

    public int count(int s) {
        return start[s + 1] - start[s];
    }

    public int firstSlot(int s) {
        return firstSlot[s];
    }

    /** First slots of all sequences, valid up to {@link #sequences()}. */
    public int[] firstSlots() {
        return firstSlot;
    }

    public BlockTable table(int s) {
        return tables[s];
    }

    public Logits logits(int s) {
        return logits[s];
    }

    public LoraAdapter adapter(int s) {
        return adapters[s];
    }

    public boolean hiddenStates() {
        return hiddenStates;
    }

    /** Where a model writes this batch's logits (reused from step to step). */
    public StepOutput output() {
        return output;
    }
}
