package dev.hymt4j.gptq;

import dev.hymt4j.tensor.Matrix;

import java.util.Arrays;
import java.util.List;

/**
 * Stand-ins for a decoder layer's matrices while GPTQ runs the engine's own forward pass over one layer, so the
 * calibration sees exactly the network the engine runs (no second copy of the layer): a capturing linear feeds
 * its inputs to a Hessian (and keeps them), a replaying linear computes on inputs an earlier pass kept, a
 * recording linear keeps its outputs (the layer output is the input plus the two residual branches), a skipped
 * linear (one whose output this pass does not need) outputs zeros without computing, and the hidden states of a
 * sequence pose as the embedding of ids {@code 0..T−1}.
 *
 * <p>Only whole-matrix products ({@link Matrix#matmul}) are intercepted; the callers check that every capture saw
 * its tokens, so an engine calling {@code matmulRows} directly would fail loudly, not calibrate on nothing.
 */
final class LayerProbes {
    private LayerProbes() {}

    /** Base for decorators: delegates everything to {@code w}. */
    private abstract static class Delegating implements Matrix {
        final Matrix w;

        Delegating(Matrix w) {
            this.w = w;
        }

        @Override public int rows() { return w.rows(); }
        @Override public int cols() { return w.cols(); }
        @Override public String format() { return w.format(); }
        @Override public void matmulRows(float[] x, int n, float[] out, int r0, int r1) { w.matmulRows(x, n, out, r0, r1); }
        @Override public void accumulateTransposed(float[] g, int n, float[] out, int c0, int c1) { w.accumulateTransposed(g, n, out, c0, c1); }
        @Override public void readRow(int r, float[] dst, int off) { w.readRow(r, dst, off); }
    }

    /**
     * Adds every input batch {@code x [n, cols]} to {@code hessian} (and a copy to {@code kept}, when not null,
     * for a later pass to replay); outputs zeros without computing, since nothing after it runs in this pass.
     */
    static Matrix capturing(Matrix w, HessianAccumulator hessian, List<float[]> kept) {
        return new Delegating(w) {
            @Override
            public void matmul(float[] x, int n, float[] out) {
                hessian.add(x, n);
                if (kept != null) kept.add(Arrays.copyOf(x, n * w.cols()));
                Arrays.fill(out, 0, n * w.rows(), 0f);
            }
        };
    }

    /**
     * Computes as {@code w} on the inputs an earlier pass kept, one sequence per call in the order they were
     * kept, ignoring its own input (which this pass did not compute); keeps a copy of each output in
     * {@code outputs} when not null.
     */
    static Matrix replaying(Matrix w, List<float[]> inputs, List<float[]> outputs) {
        return new Delegating(w) {
            private int next;

            @Override
            public void matmul(float[] x, int n, float[] out) {
                float[] kept = inputs.get(next++);
                if (kept.length != n * w.cols()) throw new IllegalStateException("replayed input of " + kept.length + " floats for " + n + " tokens");
                w.matmul(kept, n, out);
                if (outputs != null) outputs.add(Arrays.copyOf(out, n * w.rows()));
            }
        };
    }

    /** Computes as {@code w} and keeps a copy of each output in {@code outputs}, one sequence per call. */
    static Matrix recording(Matrix w, List<float[]> outputs) {
        return new Delegating(w) {
            @Override
            public void matmul(float[] x, int n, float[] out) {
                w.matmul(x, n, out);
                outputs.add(Arrays.copyOf(out, n * w.rows()));
            }
        };
    }

    /** A linear whose output nobody reads in this pass: zeros, no work. */
    static Matrix skipped(int rows, int cols) {
        return new Matrix() {
            @Override public int rows() { return rows; }
            @Override public int cols() { return cols; }
            @Override public String format() { return "skipped"; }
            @Override public void matmulRows(float[] x, int n, float[] out, int r0, int r1) {
                for (int t = 0; t < n; t++) Arrays.fill(out, t * rows + r0, t * rows + r1, 0f);
            }
            @Override public void matmul(float[] x, int n, float[] out) { Arrays.fill(out, 0, n * rows, 0f); }
            @Override public void accumulateTransposed(float[] g, int n, float[] out, int c0, int c1) {}
            @Override public void readRow(int r, float[] dst, int off) { Arrays.fill(dst, off, off + cols, 0f); }
        };
    }

    /**
     * Hidden states {@code x [tokens, hidden]} as an "embedding" whose row {@code t} is token t's state; {@link #set}
     * switches to the next sequence of the same length.
     */
    static final class HiddenStates implements Matrix {
        private final int tokens, hidden;
        private float[] x;

        HiddenStates(int tokens, int hidden) {
            this.tokens = tokens;
            this.hidden = hidden;
        }

        void set(float[] x) {
            if (x.length != tokens * hidden) throw new IllegalArgumentException(x.length + " floats for " + tokens + " × " + hidden);
            this.x = x;
        }

        @Override public int rows() { return tokens; }
        @Override public int cols() { return hidden; }
        @Override public String format() { return "hidden-states"; }
        @Override public void readRow(int r, float[] dst, int off) { System.arraycopy(x, r * hidden, dst, off, hidden); }
        @Override public void matmulRows(float[] in, int n, float[] out, int r0, int r1) { throw new UnsupportedOperationException(); }
        @Override public void accumulateTransposed(float[] g, int n, float[] out, int c0, int c1) { throw new UnsupportedOperationException(); }
    }
}
