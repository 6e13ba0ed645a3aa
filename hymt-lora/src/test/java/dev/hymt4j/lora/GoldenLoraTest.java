package dev.hymt4j.lora;

import dev.hymt4j.model.Checkpoint;
import dev.hymt4j.model.ModelWeights;
import dev.hymt4j.optim.Parameter;
import dev.hymt4j.safetensors.SafetensorsFile;
import dev.hymt4j.testing.TestData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The training step against transformers + PEFT (testdata/golden/tiny-lora-*, see its README). */
class GoldenLoraTest {
    static Checkpoint base;
    static SafetensorsFile ref;
    static Batch batch;

    @BeforeAll
    static void open() throws Exception {
        base = Checkpoint.open(TestData.path("golden/tiny-lora-base"));
        ref = SafetensorsFile.open(TestData.path("golden/tiny-lora-reference.safetensors"));
        batch = Batch.load(TestData.path("golden/tiny-lora-reference.safetensors"));
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
        LoraModel model = new LoraModel(ModelWeights.load(base), adapter);
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
}
