package dev.hymt4j.testing;

import dev.hymt4j.lora.LoraAdapter;
import dev.hymt4j.lora.LoraModule;
import dev.hymt4j.model.LayerWeights;
import dev.hymt4j.model.ModelConfig;
import dev.hymt4j.model.ModelWeights;
import dev.hymt4j.model.TrainingBatch;
import dev.hymt4j.tensor.MappedMatrix;
import dev.hymt4j.tensor.Matrix;

import java.util.List;
import java.util.SplittableRandom;

/** Random in-memory HunYuan dense models of any shape, for gradient checks and training tests. */
public final class TinyModels {
    private TinyModels() {}

    public static ModelConfig config(int vocab, int hidden, int layers, int heads, int kvHeads, int headDim, int intermediate,
                              boolean tied, boolean qkNorm) {
        return new ModelConfig(ModelConfig.MODEL_TYPE, vocab, hidden, layers, heads, kvHeads, headDim, intermediate, 1e-5f,
                10000.0, "dynamic", 1000.0, 1.0, 4096, tied, qkNorm, 1, List.of(2), 0);
    }

    public static ModelWeights random(ModelConfig c, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int h = c.hiddenSize();
        LayerWeights[] layers = new LayerWeights[c.numLayers()];
        for (int l = 0; l < layers.length; l++) {
            layers[l] = new LayerWeights(norm(rng, h),
                    matrix(rng, c.qDim(), h), matrix(rng, c.kvDim(), h), matrix(rng, c.kvDim(), h), matrix(rng, h, c.qDim()),
                    c.useQkNorm() ? norm(rng, c.headDim()) : null, c.useQkNorm() ? norm(rng, c.headDim()) : null,
                    norm(rng, h),
                    matrix(rng, c.intermediateSize(), h), matrix(rng, c.intermediateSize(), h), matrix(rng, h, c.intermediateSize()));
        }
        Matrix embedding = matrix(rng, c.vocabSize(), h, 1.0);
        Matrix head = c.tieWordEmbeddings() ? embedding : matrix(rng, c.vocabSize(), h);
        return new ModelWeights(c, embedding, layers, norm(rng, h), head);
    }

    /** Norm weights around 1, as in the golden models (1 + 0.1·N(0,1)). */
    public static float[] norm(SplittableRandom rng, int n) {
        float[] w = new float[n];
        for (int i = 0; i < n; i++) w[i] = (float) (1 + 0.1 * gaussian(rng));
        return w;
    }

    public static Matrix matrix(SplittableRandom rng, int rows, int cols) {
        return matrix(rng, rows, cols, 1.0 / Math.sqrt(cols));
    }

    public static Matrix matrix(SplittableRandom rng, int rows, int cols, double std) {
        return MappedMatrix.ofFloats(randn(rng, rows * cols, std), rows, cols);
    }

    public static float[] randn(SplittableRandom rng, int n, double std) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (std * gaussian(rng));
        return x;
    }

    public static double gaussian(SplittableRandom rng) {
        double u = rng.nextDouble(), v = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v);
    }

    /** Sets every LoRA B to small random values, so that A receives non-zero gradients too. */
    public static void randomizeB(LoraAdapter adapter, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        for (LoraModule m : adapter.modules()) {
            float[] b = m.b().value();
            for (int i = 0; i < b.length; i++) b[i] = (float) (0.05 * gaussian(rng));
        }
    }

    /** A batch of {@code rows} sequences of {@code len} tokens; row 1 right-padded, row 2 left-padded (if present). */
    public static TrainingBatch batch(int vocab, int rows, int len, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int n = rows * len;
        int[] ids = new int[n], mask = new int[n], labels = new int[n];
        for (int b = 0; b < rows; b++) {
            int pad = b == 0 ? 0 : 2;
            for (int t = 0; t < len; t++) {
                boolean real = b == 2 ? t >= pad : t < len - pad;
                int i = b * len + t;
                ids[i] = real ? 1 + rng.nextInt(vocab - 1) : 0;
                mask[i] = real ? 1 : 0;
                labels[i] = real && t >= 2 ? ids[i] : TrainingBatch.IGNORE_INDEX;
            }
        }
        return new TrainingBatch(rows, len, ids, mask, labels);
    }
}
