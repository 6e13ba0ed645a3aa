package dev.hymt4j.gptq;

import dev.hymt4j.model.ForwardOptions;
import dev.hymt4j.model.HunyuanModel;
import dev.hymt4j.safetensors.SafetensorsFile;
import dev.hymt4j.testing.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Optional oracle: our GPTQ checkpoints rebuilt in transformers with AutoGPTQ's torch dequantization
 * ({@code torch_gptq_logits.py}) give the logits our engine computes on them (1e-5). Checks the layout
 * (packing directions, v1 zero − 1, g_idx, config keys) against another implementation's reading of it.
 * Skips without a Python that has torch and transformers ({@code HYMT_PYTHON}, else {@code /work/py/bin/python}).
 */
class GptqTorchLoaderTest {

    @Test
    void transformersWithAutoGptqDequantizationAgreesWithOurEngine(@TempDir Path tmp) throws Exception {
        PythonOracle python = PythonOracle.find("import torch, transformers; transformers.HunYuanDenseV1Config", tmp)
                .withScripts("torch_gptq_logits.py");
        Random random = new Random(9);
        int[][] calibration = new int[4][32];
        for (int[] s : calibration) for (int t = 0; t < s.length; t++) s[t] = random.nextInt(512);
        int[] ids = {1, 17, 300, 42, 9, 511, 77, 3, 250};
        String idList = Arrays.stream(ids).mapToObj(Integer::toString).collect(Collectors.joining(","));
        for (GptqOptions o : new GptqOptions[]{GptqOptions.DEFAULT.withGroupSize(32), GptqOptions.DEFAULT.withGroupSize(32).withActOrder(true),
                GptqOptions.DEFAULT.withSym(false).withGroupSize(64)}) {
            Path dir = tmp.resolve("gptq-" + o.hashCode());
            new GptqModelQuantizer(GptqModelQuantizer.Method.GPTQ, o, false).run(TestData.path("golden/tiny-tied"), calibration, "t", dir, r -> {});
            Path out = tmp.resolve("logits-" + o.hashCode() + ".safetensors");
            python.run("torch_gptq_logits.py", dir.toString(), out.toString(), idList);
            float[] torch;
            try (SafetensorsFile f = SafetensorsFile.open(out)) {
                torch = f.readFloats("logits");
            }
            try (HunyuanModel m = HunyuanModel.load(dir)) {
                double err = TestData.relL2(m.forward(ids, ForwardOptions.ALL_LOGITS).logits(), torch);
                System.out.printf("GPTQ checkpoint (%s) in transformers vs our engine: rel L2 %.3e%n", o, err);
                assertTrue(err < 1e-5, o + ": " + err);
            }
        }
    }
}
