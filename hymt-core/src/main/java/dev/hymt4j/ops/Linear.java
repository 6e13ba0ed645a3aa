package dev.hymt4j.ops;

import dev.hymt4j.lora.LoraModule;
import dev.hymt4j.lora.LoraTarget;
import dev.hymt4j.tensor.Matrix;

import java.util.Arrays;

/**
 * A projection {@code y = x·Wᵀ} with the LoRA branches of a pass: for the tokens of each adapter that adapts
 * this projection, {@code y += scaling · (dropout(x)·Aᵀ)·Bᵀ} (PEFT's order: dropout on the branch input only).
 * The frozen base product runs once over all tokens; each adapter's low-rank products run over its own
 * tokens, gathered into a contiguous block when they are not all the tokens of the pass.
 */
public final class Linear {
    private Linear() {}

    /**
     * @param x     {@code [n, in]}
     * @param y     {@code [n, out]} out
     * @param saved {@code [n, r]} out: {@code dropout(x)·Aᵀ} when one adapter covers every token (training keeps it
     *              for the backward pass), or null
     */
    public static void forward(Matrix w, float[] x, int n, float[] y, LoraBatch lora, int layer, LoraTarget target,
                               float[] saved) {
        w.matmul(x, n, y);
        for (int g = 0; g < lora.groups(); g++) {
            LoraModule m = lora.module(g, layer, target);
            if (m == null) continue;
            int count = lora.size(g), in = m.inFeatures(), out = m.outFeatures(), r = m.rank();
            int[] tokens = covers(lora.tokens(g), count, n) ? null : lora.tokens(g);
            float[] input = x;
            if (tokens != null) {
                input = lora.gathered(count * in);
                for (int i = 0; i < count; i++) System.arraycopy(x, tokens[i] * in, input, i * in, in);
            }
            input = dropped(input, count * in, lora, layer, target);
            float[] down = saved != null && tokens == null ? saved : lora.down(count * r);
            m.aMatrix().matmul(input, count, down);
            float[] branch = lora.branch(count * out);
            m.bMatrix().matmul(down, count, branch);
            if (tokens == null) {
                Vec.axpy(m.scaling(), branch, 0, y, 0, count * out);
            } else {
                for (int i = 0; i < count; i++) Vec.axpy(m.scaling(), branch, i * out, y, tokens[i] * out, out);
            }
        }
    }

    /**
     * Accumulates {@code dx [n, in] += dy·W} plus the LoRA branch's input gradient, and the adapter's weight
     * gradients. Training only: one adapter covering every token ({@link LoraBatch#setAll}).
     *
     * @param x     {@code [n, in]} the forward input
     * @param dy    {@code [n, out]}
     * @param saved {@code [n, r]} from the forward pass
     */
    public static void backward(Matrix w, float[] x, int n, float[] dy, float[] dx, LoraBatch lora, int layer,
                                LoraTarget target, float[] saved) {
        w.matmulTransposedAccumulate(dy, n, dx);
        if (lora.groups() == 0) return;
        LoraModule m = lora.module(0, layer, target);
        if (m == null) return;
        int out = m.outFeatures(), in = m.inFeatures(), r = m.rank();
        float[] dBranch = lora.branch(n * out);
        for (int i = 0; i < n * out; i++) dBranch[i] = m.scaling() * dy[i];
        WeightGrad.accumulate(dBranch, saved, n, out, r, m.b().grad());
        float[] dDown = lora.down(n * r);
        Arrays.fill(dDown, 0, n * r, 0f);
        m.bMatrix().matmulTransposedAccumulate(dBranch, n, dDown);
        float[] input = dropped(x, n * in, lora, layer, target);
        WeightGrad.accumulate(dDown, input, n, r, in, m.a().grad());
        if (input == x) {
            m.aMatrix().matmulTransposedAccumulate(dDown, n, dx);
        } else {
            float[] dInput = lora.gathered(n * in);
            Arrays.fill(dInput, 0, n * in, 0f);
            m.aMatrix().matmulTransposedAccumulate(dDown, n, dInput);
            Dropout.backward(dInput, n * in, lora.dropout(), lora.dropoutSeed(layer, target), dx);
        }
    }

    /** {@code dropout(x)} into the batch's buffer when the pass drops out, else {@code x} itself. */
    private static float[] dropped(float[] x, int floats, LoraBatch lora, int layer, LoraTarget target) {
        if (lora.dropout() == 0f) return x;
        float[] xd = lora.dropped(floats);
        Dropout.forward(x, floats, lora.dropout(), lora.dropoutSeed(layer, target), xd);
        return xd;
    }

    /** Whether a group's token list is every token of the pass in order (then no gather is needed). */
    private static boolean covers(int[] tokens, int count, int n) {
        return tokens == null || (count == n && tokens[0] == 0 && tokens[n - 1] == n - 1);
    }
}
