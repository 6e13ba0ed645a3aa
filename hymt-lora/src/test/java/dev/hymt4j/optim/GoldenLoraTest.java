package dev.hymt4j.optim;

import dev.hymt4j.lora.LoraAdapter;
import dev.hymt4j.lora.LoraModule;
import dev.hymt4j.merge.Merger;
import dev.hymt4j.model.Checkpoint;
import dev.hymt4j.model.ForwardOptions;
import dev.hymt4j.model.HunyuanModel;
import dev.hymt4j.model.ModelWeights;
import dev.hymt4j.model.Training;
import dev.hymt4j.model.TrainingBatch;
import dev.hymt4j.safetensors.SafetensorsFile;
import dev.hymt4j.tensor.Parameter;
import dev.hymt4j.testing.TestData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The training step against transformers + PEFT (testdata/golden/tiny-lora-*, see its README). */
class GoldenLoraTest {
    static Checkpoint base;
    static SafetensorsFile ref;
    static TrainingBatch batch;

    @BeforeAll
    static void open() throws Exception {
        base = Checkpoint.open(TestData.path("golden/tiny-lora-base"));
        ref = SafetensorsFile.open(TestData.path("golden/tiny-lora-reference.safetensors"));
        batch = TrainingBatch.load(TestData.path("golden/tiny-lora-reference.safetensors"));
    }

    @AfterAll
    static void close() {
        base.close();
        ref.close();
    }

    static LoraAdapter initAdapter() throws Exception {
        return LoraAdapter.load(TestData.path("golden/tiny-lora-adapter-init"), base.config());
    }

    @Test
    void lossAndEveryLoraGradientMatchPeft() throws Exception {
        LoraAdapter adapter = initAdapter();
        Training model = new Training(new HunyuanModel(ModelWeights.load(base)), adapter);
        float loss = model.forwardBackward(batch, 1f);
        float loss0 = ref.readFloats("loss0")[0];
        assertEquals(loss0, loss, 1e-5 * Math.abs(loss0), "loss0");
        assertEquals(28, adapter.parameters().size());
        double worst = 0;
        for (Parameter p : adapter.parameters()) {
            double err = TestData.relL2(p.grad(), ref.readFloats("grad." + p.name()));
            worst = Math.max(worst, err);
            assertTrue(err < 1e-5, p.name() + ": rel L2 " + err);
        }
        System.out.printf("golden: loss %.8f vs %.8f, worst gradient rel L2 %.2e%n", loss, loss0, worst);
    }

    /** The README's order: losses[0] = loss0, step; then three times: record the loss, backward, step. */
    static LoraAdapter trainFourSteps(float[] losses) throws Exception {
        LoraAdapter adapter = initAdapter();
        Training model = new Training(new HunyuanModel(ModelWeights.load(base)), adapter);
        AdamW opt = new AdamW(adapter.parameters(), 1e-3, 0.9, 0.999, 1e-8, 0.01);
        for (int i = 0; i < 4; i++) {
            opt.zeroGrad();
            losses[i] = model.forwardBackward(batch, 1f);
            opt.step();
        }
        return adapter;
    }

    @Test
    void fourAdamWStepsReproduceLossesAndTrainedAdapter(@TempDir Path tmp) throws Exception {
        float[] losses = new float[4];
        LoraAdapter trained = trainFourSteps(losses);
        double[] expected = {6.2742362, 6.20350361, 6.13644552, 6.07305908};
        float[] refLosses = ref.readFloats("losses");
        for (int i = 0; i < 4; i++) {
            assertEquals(refLosses[i], losses[i], 1e-5, "loss before step " + i);
            assertEquals(expected[i], refLosses[i], 1e-7);
        }
        double worst = 0;
        try (SafetensorsFile golden = SafetensorsFile.open(TestData.path("golden/tiny-lora-adapter-trained/adapter_model.safetensors"))) {
            for (LoraModule m : trained.modules()) {
                double ea = TestData.relL2(m.a().value(), golden.readFloats(m.savedNameA()));
                double eb = TestData.relL2(m.b().value(), golden.readFloats(m.savedNameB()));
                worst = Math.max(worst, Math.max(ea, eb));
                assertTrue(ea < 1e-5 && eb < 1e-5, m.savedNameA() + ": " + ea + ", B: " + eb);
            }
        }
        System.out.printf("golden: 4 AdamW steps, losses %s, worst trained-adapter rel L2 %.2e%n", java.util.Arrays.toString(losses), worst);

        // Base + trained adapter on the probe.
        int[] probe = java.util.Arrays.stream(ref.readLongs("probe_ids")).mapToInt(Math::toIntExact).toArray();
        float[] logits = new HunyuanModel(ModelWeights.load(base)).forward(probe, ForwardOptions.ALL_LOGITS, trained).logits();
        double errTrained = TestData.relL2(logits, ref.readFloats("trained_logits"));
        assertTrue(errTrained < 1e-5, "trained_logits rel L2 " + errTrained);

        // Our saved adapter loads back bit for bit, and its config keeps PEFT's field set.
        Path saved = tmp.resolve("adapter");
        trained.save(saved);
        LoraAdapter back = LoraAdapter.load(saved, base.config());
        for (int i = 0; i < trained.parameters().size(); i++) {
            assertArrayEquals(trained.parameters().get(i).value(), back.parameters().get(i).value());
        }
        String goldenConfig = Files.readString(TestData.path("golden/tiny-lora-adapter-trained/adapter_config.json"));
        assertEquals(goldenConfig, Files.readString(saved.resolve(LoraAdapter.CONFIG_FILE)));

        // Merge, then the plain forward pass on the merged weights.
        Path merged = tmp.resolve("merged");
        Merger.merge(base, back, merged, null);
        double worstTensor = 0;
        try (Checkpoint ours = Checkpoint.open(merged);
             SafetensorsFile golden = SafetensorsFile.open(TestData.path("golden/tiny-lora-merged/model.safetensors"))) {
            assertEquals(golden.tensors().keySet(), ours.files().get(0).tensors().keySet());
            for (String name : golden.tensors().keySet()) {
                double err = TestData.relL2(ours.files().get(0).readFloats(name), golden.readFloats(name));
                worstTensor = Math.max(worstTensor, err);
                assertTrue(err < 1e-6, name + ": rel L2 " + err);
            }
            float[] mergedLogits = new HunyuanModel(ModelWeights.load(ours)).forward(probe, ForwardOptions.ALL_LOGITS).logits();
            double errMerged = TestData.relL2(mergedLogits, ref.readFloats("merged_logits"));
            assertTrue(errMerged < 1e-5, "merged_logits rel L2 " + errMerged);
            System.out.printf("golden: trained_logits %.2e, merged_logits %.2e, worst merged tensor %.2e%n", errTrained, errMerged, worstTensor);
        }
        for (String f : new String[]{"config.json", "generation_config.json"}) {
            assertEquals(Files.readString(TestData.path("golden/tiny-lora-base/" + f)), Files.readString(merged.resolve(f)));
        }
    }
}
