package dev.hymt4j.onednn;

import dev.hymt4j.model.DemoModel;
import dev.hymt4j.model.ForwardOptions;
import dev.hymt4j.safetensors.DType;
import dev.hymt4j.model.HunyuanModel;
import dev.hymt4j.testing.TestData;
import dev.hymt4j.weights.WeightSource;
import dev.hymt4j.weights.WeightSources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Inference with {@code --backend onednn} on a small random BF16 model of the HY-MT1.5 architecture: a 24-token
 * prompt's logits against the Java (FP32) engine's, within the BF16-compute bound. Each logit depends on 2·7 + 1
 * products in series (2 layers × 7 projections, the head), each adding a relative error of about u = 2⁻⁹ (BF16
 * rounding of its activations); independent, they add in quadrature: √15·u ≈ 7.6e-3 relative L2. The bound is
 * 4√15·u = 3e-2. (On F32 weights without AMX oneDNN computes in FP32 and the difference is far smaller.)
 */
class OneDnnWeightSourceTest {
    static final DemoModel.Shape SHAPE = new DemoModel.Shape(300, 64, 2, 4, 2, 16, 160, true);

    @Test
    void prefillLogitsStayWithinTheBf16BoundOfTheJavaOnes(@TempDir Path dir) throws Exception {
        assumeTrue(OneDnn.get().isPresent(), "oneDNN cannot load here (" + OneDnn.unavailableReason() + "): skipped");
        assumeTrue(OneDnn.get().get().bf16Matmul(), "no BF16 matmul in oneDNN on this CPU: BF16 weights stay on java");
        DemoModel.write(dir, SHAPE, DType.BF16, 3);
        List<String> lines = new ArrayList<>();
        try (HunyuanModel java = HunyuanModel.load(dir);
             HunyuanModel dnn = HunyuanModel.load(OneDnnWeightSource.wrap(WeightSources.open(dir), lines::add))) {
            assertEquals(1, lines.size(), lines.toString());
            assertTrue(lines.getFirst().startsWith("inference backend: onednn, BF16 compute for products of 16+ tokens"), lines.getFirst());
            int n = 24;
            int[] ids = new int[n];
            for (int i = 0; i < n; i++) ids[i] = (i * 37 + 5) % SHAPE.vocabSize();
            float[] exact = java.forward(ids, ForwardOptions.ALL_LOGITS).logits(), bf16 = dnn.forward(ids, ForwardOptions.ALL_LOGITS).logits();
            double err = 0, norm = 0;
            for (int i = 0; i < exact.length; i++) {
                err += Math.pow(bf16[i] - exact[i], 2);
                norm += Math.pow(exact[i], 2);
            }
            double relative = Math.sqrt(err / norm), bound = 4 * Math.sqrt(15) * 0x1p-9;
            System.out.printf("onednn prefill logits: relative L2 %.2e against the Java ones (bound %.2e)%n", relative, bound);
            assertTrue(relative < bound, "relative L2 " + relative);
            assertTrue(relative > 1e-5, "BF16 compute should differ from FP32 by about u: were the products in oneDNN at all? " + relative);
        }
    }

    @Test
    void whereOneDnnCannotLoadTheSourceIsReturnedAsItIs() throws Exception {
        assumeTrue(OneDnn.get().isEmpty(), "oneDNN loads here: the fallback is not reachable");
        List<String> lines = new ArrayList<>();
        try (WeightSource s = WeightSources.open(TestData.path("golden/tiny-lora-base"))) {
            assertEquals(s, OneDnnWeightSource.wrap(s, lines::add));
            assertTrue(lines.getFirst().startsWith("inference backend: java: oneDNN cannot load here"), lines.toString());
        }
    }
}
