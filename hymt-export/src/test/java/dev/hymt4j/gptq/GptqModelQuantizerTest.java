package dev.hymt4j.gptq;

import dev.hymt4j.model.Checkpoint;
import dev.hymt4j.model.ModelConfig;
import dev.hymt4j.quant.GptqMatrix;
import dev.hymt4j.safetensors.SafetensorsFile;
import dev.hymt4j.testing.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole-model pipeline on the golden tiny model: layer 0's first group (k, v, q — their input is the input
 * norm of the embeddings, so the test can compute it) equals the float64 oracle of {@link GptqOracleTest} run on
 * a Hessian the test builds itself from the calibration batches; every layer beats round-to-nearest.
 */
class GptqModelQuantizerTest {
    static final Path TINY = TestData.path("golden/tiny-tied");

    static int[][] randomCalibration(int samples, int len, int vocab, long seed) {
        Random r = new Random(seed);
        int[][] out = new int[samples][len];
        for (int[] s : out) for (int t = 0; t < len; t++) s[t] = r.nextInt(vocab);
        return out;
    }

    @Test
    void firstGroupOfLayerZeroEqualsTheFloat64Oracle(@TempDir Path tmp) throws Exception {
        int[][] calibration = randomCalibration(6, 40, 512, 1);
        GptqOptions o = GptqOptions.DEFAULT.withGroupSize(32);
        List<GptqModelQuantizer.LayerReport> layers = new ArrayList<>();
        new GptqModelQuantizer(GptqModelQuantizer.Method.GPTQ, o, true).run(TINY, calibration, "test", tmp.resolve("q"), layers::add);
        assertEquals(2, layers.size());

        try (Checkpoint ckpt = Checkpoint.open(TINY); SafetensorsFile out = SafetensorsFile.open(tmp.resolve("q/model.safetensors"))) {
            ModelConfig c = ckpt.config();
            int h = c.hiddenSize();
            float[] norm = ckpt.vector("model.layers.0.input_layernorm.weight", h);
            float[] emb = new float[h];
            // H = 2/n Σ a aᵀ over every calibration token, a = RMSNorm(embedding) (spec §2.3), in float64.
            double[][] hess = new double[h][h];
            int n = 0;
            for (int[] seq : calibration) {
                for (int id : seq) {
                    ckpt.matrix("model.embed_tokens.weight", c.vocabSize(), h).readRow(id, emb, 0);
                    double ss = 0;
                    for (float v : emb) ss += (double) v * v;
                    float inv = (float) (1.0 / Math.sqrt((float) (ss / h) + c.rmsNormEps()));
                    double[] a = new double[h];
                    for (int i = 0; i < h; i++) a[i] = norm[i] * (emb[i] * inv);
                    for (int i = 0; i < h; i++) for (int j = 0; j < h; j++) hess[i][j] += a[i] * a[j];
                    n++;
                }
            }
            for (double[] row : hess) for (int j = 0; j < h; j++) row[j] *= 2.0 / n;
            for (String linear : new String[]{"self_attn.k_proj", "self_attn.v_proj", "self_attn.q_proj"}) {
                String p = "model.layers.0." + linear;
                int rows = linear.equals("self_attn.q_proj") ? c.qDim() : c.kvDim();
                float[] row = new float[h];
                double[][] w = new double[rows][h];
                for (int r = 0; r < rows; r++) {
                    ckpt.matrix(p + ".weight", rows, h).readRow(r, row, 0);
                    for (int i = 0; i < h; i++) w[r][i] = row[i];
                }
                GptqOracleTest.Oracle ref = GptqOracleTest.fasterquant(w, hess, o);
                GptqMatrix m = new GptqMatrix(rows, h, 4, 32, out.data(p + ".qweight"), out.data(p + ".qzeros"), out.data(p + ".scales"), null, false);
                for (int r = 0; r < rows; r++) {
                    for (int i = 0; i < h; i++) assertEquals(ref.codes()[r][i], m.code(r, i), p + " code (" + r + ", " + i + ")");
                    for (int g = 0; g < ref.groups().size(); g++) {
                        assertEquals(ref.groups().get(g).scale()[r], m.scale(g, r), 0.0, p + " scale");
                        assertEquals(ref.groups().get(g).zero()[r], m.zero(g, r), p + " zero");
                    }
                }
            }
        }
        for (GptqModelQuantizer.LayerReport r : layers) {
            for (String linear : r.errors().keySet()) {
                assertTrue(r.errors().get(linear) < r.rtnErrors().get(linear), "layer " + r.layer() + " " + linear + ": GPTQ "
                        + r.errors().get(linear) + " vs RTN " + r.rtnErrors().get(linear));
            }
        }
    }
}
