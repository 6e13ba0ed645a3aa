package dev.hymt4j.ops;

import dev.hymt4j.lora.LoraAdapter;
import dev.hymt4j.lora.LoraModule;
import dev.hymt4j.lora.LoraTarget;

/**
 * The LoRA adapters of one pass and the tokens each one applies to: in an engine step, sequences with
 * different adapters (or none) share the batch; in training, one adapter covers every token, with dropout on
 * its input. The base product of every projection runs once over all tokens; each adapter's low-rank product
 * runs over its own tokens only ({@link Linear#forward}).
 */
public final class LoraBatch {
    private int groups;
    private LoraAdapter[] adapters = new LoraAdapter[0];
    /** [group] → the token indices of the group, ascending; null for a group that covers every token in order. */
    private int[][] tokens = new int[0][];
    private int[] sizes = new int[0];
    private float dropout;
    private long seed;
    // Reusable buffers of the adapted tokens: gathered input, dropped-out input, A·x, B·(A·x).
    private float[] gathered = new float[0], dropped = new float[0], down = new float[0], branch = new float[0];

    /** Forgets every group (the step's buffers are kept). */
    public void clear() {
        groups = 0;
        dropout = 0;
    }

    /** Every token of the pass, in order, gets {@code adapter}; its input is dropped out with probability p (training). */
    public void setAll(LoraAdapter adapter, int tokenCount, float dropout, long seed) {
        clear();
        if (adapter == null) return;
        ensureGroups(1);
        adapters[0] = adapter;
        tokens[0] = null;
        sizes[0] = tokenCount;
        groups = 1;
        this.dropout = dropout;
        this.seed = seed;
    }

    /** Tokens {@code [start, start + count)} of the step get {@code adapter} (null: the base model only). */
    public void add(LoraAdapter adapter, int start, int count) {
        if (adapter == null) return;
        int g = 0;
        while (g < groups && adapters[g] != adapter) g++;
        if (g == groups) {
            ensureGroups(groups + 1);
            adapters[g] = adapter;
            sizes[g] = 0;
            if (tokens[g] == null) tokens[g] = new int[Math.max(16, count)];
            groups++;
        }
        int[] list = tokens[g];
        if (list.length < sizes[g] + count) tokens[g] = list = java.util.Arrays.copyOf(list, Math.max(2 * list.length, sizes[g] + count));
        for (int i = 0; i < count; i++) list[sizes[g]++] = start + i;
    }

    public int groups() {
        return groups;
    }

    /** The module of group {@code g} for a projection, or null when that adapter leaves it alone. */
    LoraModule module(int g, int layer, LoraTarget target) {
        return adapters[g].module(layer, target);
    }

    int size(int g) {
        return sizes[g];
    }

    /** The group's token indices, or null when it covers every token of the pass in order. */
    int[] tokens(int g) {
        return tokens[g];
    }

    float dropout() {
        return dropout;
    }

    /** The seed of the dropout mask of one projection in this pass: a pure function of the pass, layer and projection. */
    long dropoutSeed(int layer, LoraTarget target) {
        return Dropout.seedOf(seed, layer * 16L + target.ordinal());
    }

    float[] gathered(int floats) {
        if (gathered.length < floats) gathered = new float[floats];
        return gathered;
    }

    float[] dropped(int floats) {
        if (dropped.length < floats) dropped = new float[floats];
        return dropped;
    }

    float[] down(int floats) {
        if (down.length < floats) down = new float[floats];
        return down;
    }

    float[] branch(int floats) {
        if (branch.length < floats) branch = new float[floats];
        return branch;
    }

    private void ensureGroups(int n) {
        if (adapters.length >= n) return;
        int size = Math.max(n, 2 * adapters.length);
        adapters = java.util.Arrays.copyOf(adapters, size);
        tokens = java.util.Arrays.copyOf(tokens, size);
        sizes = java.util.Arrays.copyOf(sizes, size);
    }
}
