package dev.hymt4j.model;

import java.util.Arrays;

/**
 * The logits of one step: {@code [rows, vocab]}, one row per wanted position, sequences in batch order. Owned
 * by its {@link StepBatch} and overwritten by the next step; copy what must outlive it.
 */
public final class StepOutput {
    private float[] logits = new float[0];
    private int[] firstRow = new int[8], rowCount = new int[8];
    private int vocab, rows;
    private float[][] hiddenStates;

    /**
     * For models: sets the shape for {@code sequences} sequences and {@code totalRows} rows of {@code vocab}
     * logits, and returns the buffer to write them into (grown if needed).
     */
    public float[] reset(int sequences, int totalRows, int vocab) {
        if (firstRow.length < sequences) {
            firstRow = new int[Math.max(sequences, 2 * firstRow.length)];
            rowCount = new int[firstRow.length];
        }
        long floats = (long) totalRows * vocab;
        if (floats > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException(totalRows + " logits rows of " + vocab + " do not fit one array: ask for fewer");
        }
        if (logits.length < floats) logits = new float[(int) floats];
        this.vocab = vocab;
        this.rows = totalRows;
        this.hiddenStates = null;
        return logits;
    }

    /** For models: sequence {@code sequence}'s logits are rows {@code [first, first + count)}. */
    public void setRows(int sequence, int first, int count) {
        firstRow[sequence] = first;
        rowCount[sequence] = count;
    }

    /** For models: the hidden states asked for with {@link StepBatch#collectHiddenStates()}. */
    public void setHiddenStates(float[][] states) {
        this.hiddenStates = states;
    }

    public int vocab() {
        return vocab;
    }

    public int rows() {
        return rows;
    }

    /** The logits buffer {@code [rows, vocab]} (longer than needed; valid up to {@code rows · vocab}). */
    public float[] logits() {
        return logits;
    }

    /** The first row of sequence {@code s}'s logits (its last token's, or its first token's with all logits). */
    public int row(int s) {
        return firstRow[s];
    }

    /** How many rows sequence {@code s} got: 0, 1 (last token) or its token count (all). */
    public int rowCount(int s) {
        return rowCount[s];
    }

    /** A copy of one row. */
    public float[] copyRow(int row) {
        return Arrays.copyOfRange(logits, row * vocab, (row + 1) * vocab);
    }

    /**
     * With {@link StepBatch#collectHiddenStates()}: {@code numLayers + 1} arrays {@code [tokens, hidden]}: the
     * embedding output, the outputs of layers 0 … L−2 and the final hidden state after the last norm.
     */
    public float[][] hiddenStates() {
        return hiddenStates;
    }
}
