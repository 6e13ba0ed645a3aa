package dev.hymt4j.lora;

import dev.hymt4j.model.ForwardOptions;
import dev.hymt4j.model.HunyuanModel;
import dev.hymt4j.model.ModelConfig;
import dev.hymt4j.model.ModelWeights;
import dev.hymt4j.tensor.Matrix;
import dev.hymt4j.testing.TestData;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The inference model over {@link LoraAdapter#applyTo} computes what the training model computes. */
class LoraMatrixTest {
    private static final LoraConfig ALL = TrainingBehaviourTest.ALL;

    @Test
    void inferenceWithTheAdapterAppliedMatchesTheTrainingForward() {
        ModelConfig cfg = TinyModels.config(61, 32, 2, 4, 2, 8, 40, true, true);
        ModelWeights base = TinyModels.random(cfg, 21);
        LoraAdapter adapter = LoraAdapter.create(cfg, ALL, 22);
        TinyModels.randomizeB(adapter, 23);
        int[] ids = {1, 5, 9, 13, 2, 40, 60, 7};
        float[] expected = new LoraModel(base, adapter).logits(ids);
        float[] actual = new HunyuanModel(adapter.applyTo(base)).forward(ids, ForwardOptions.ALL_LOGITS).logits();
        double err = TestData.relL2(actual, expected);
        assertTrue(err < 1e-5, "logits rel L2 " + err);
        double baseErr = TestData.relL2(new HunyuanModel(base).forward(ids, ForwardOptions.ALL_LOGITS).logits(), expected);
        assertTrue(baseErr > 1e-3, "the adapter changes the output: " + baseErr);
    }

    @Test
    void everyProductEqualsTheMergedMatrix() {
        ModelConfig cfg = TinyModels.config(61, 32, 1, 4, 2, 8, 40, true, true);
        ModelWeights base = TinyModels.random(cfg, 31);
        LoraAdapter adapter = LoraAdapter.create(cfg, ALL, 32);
        TinyModels.randomizeB(adapter, 33);
        LoraModule m = adapter.module(0, LoraTarget.DOWN_PROJ);
        Matrix w = base.layers()[0].down(), view = adapter.applyTo(base).layers()[0].down();
        int rows = w.rows(), cols = w.cols(), n = 3;
        float[] merged = new float[rows * cols], delta = m.deltaWeight();
        for (int r = 0; r < rows; r++) w.readRow(r, merged, r * cols);
        for (int i = 0; i < merged.length; i++) merged[i] += delta[i];
        float[] row = new float[rows * cols];
        for (int r = 0; r < rows; r++) view.readRow(r, row, r * cols);
        assertTrue(TestData.relL2(row, merged) < 1e-6, "readRow");

        float[] x = new float[n * cols], g = new float[n * rows];
        for (int i = 0; i < x.length; i++) x[i] = (float) Math.sin(i);
        for (int i = 0; i < g.length; i++) g[i] = (float) Math.cos(i);
        float[] y = new float[n * rows], yRows = new float[n * rows], yRef = new float[n * rows];
        view.matmul(x, n, y);
        view.matmulRows(x, n, yRows, 0, rows);
        float[] gx = new float[n * cols], gxRef = new float[n * cols];
        view.matmulTransposedAccumulate(g, n, gx);
        for (int t = 0; t < n; t++) {
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    yRef[t * rows + r] += merged[r * cols + c] * x[t * cols + c];
                    gxRef[t * cols + c] += g[t * rows + r] * merged[r * cols + c];
                }
            }
        }
        assertTrue(TestData.relL2(y, yRef) < 1e-5, "matmul");
        assertTrue(TestData.relL2(yRows, yRef) < 1e-5, "matmulRows");
        assertTrue(TestData.relL2(gx, gxRef) < 1e-5, "accumulateTransposed");
    }
}
