package dev.hymt4j.lora;

import dev.hymt4j.tensor.Matrix;

/**
 * A frozen projection with its LoRA adapter, seen as one matrix {@code W + scaling·B·A} without forming it: the
 * products go through the base matrix and the two thin factors. This is how the inference path runs an adapter
 * (evaluation during training, serving an adapter over a shared base) — the {@link Matrix} seam means the model
 * code does not know adapters exist. {@code A} and {@code B} are read live, so the view follows training.
 */
final class LoraMatrix implements Matrix {
    private final Matrix base;
    private final LoraModule lora;

    LoraMatrix(Matrix base, LoraModule lora) {
        if (base.rows() != lora.outFeatures() || base.cols() != lora.inFeatures()) {
            throw new IllegalArgumentException("LoRA " + lora.target().modulePath(lora.layer()) + " is [" + lora.outFeatures()
                    + ", " + lora.inFeatures() + "] but its base weight is [" + base.rows() + ", " + base.cols() + "]");
        }
        this.base = base;
        this.lora = lora;
    }

    @Override
    public int rows() {
        return base.rows();
    }

    @Override
    public int cols() {
        return base.cols();
    }

    @Override
    public String format() {
        return base.format() + "+LoRA(r=" + lora.rank() + ")";
    }

    /** The whole product at once: {@code A·x} is computed once, not once per row range. */
    @Override
    public void matmul(float[] x, int n, float[] out) {
        base.matmul(x, n, out);
        float[] u = new float[n * lora.rank()];
        lora.aMatrix().matmul(x, n, u);
        float[] branch = new float[n * rows()];
        lora.bMatrix().matmul(u, n, branch);
        Vec.axpy(lora.scaling(), branch, 0, out, 0, branch.length);
    }

    @Override
    public void matmulRows(float[] x, int n, float[] out, int r0, int r1) {
        base.matmulRows(x, n, out, r0, r1);
        int r = lora.rank(), rows = rows();
        float[] u = new float[n * r];
        lora.aMatrix().matmulRows(x, n, u, 0, r);
        float[] branch = new float[n * rows];
        lora.bMatrix().matmulRows(u, n, branch, r0, r1);
        for (int t = 0; t < n; t++) {
            for (int o = r0; o < r1; o++) out[t * rows + o] += lora.scaling() * branch[t * rows + o];
        }
    }

    @Override
    public void accumulateTransposed(float[] g, int n, float[] out, int c0, int c1) {
        base.accumulateTransposed(g, n, out, c0, c1);
        int r = lora.rank();
        float[] scaled = new float[n * rows()];
        Vec.axpy(lora.scaling(), g, 0, scaled, 0, scaled.length);
        float[] gb = new float[n * r];
        lora.bMatrix().accumulateTransposed(scaled, n, gb, 0, r);
        lora.aMatrix().accumulateTransposed(gb, n, out, c0, c1);
    }

    @Override
    public void readRow(int r, float[] dst, int off) {
        base.readRow(r, dst, off);
        int in = cols(), rank = lora.rank();
        float[] a = lora.a().value(), b = lora.b().value();
        for (int k = 0; k < rank; k++) Vec.axpy(lora.scaling() * b[r * rank + k], a, k * in, dst, off, in);
    }
}
