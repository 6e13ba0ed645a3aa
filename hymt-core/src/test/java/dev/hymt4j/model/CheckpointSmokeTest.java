package dev.hymt4j.model;

import dev.hymt4j.safetensors.SafetensorsFile;
import dev.hymt4j.testing.TestData;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CheckpointSmokeTest {
    @Test
    void loadsGoldenTinyTiedWithTransformers5RopeSpelling() throws Exception {
        try (Checkpoint ckpt = Checkpoint.open(TestData.path("golden/tiny-tied"))) {
            ModelConfig c = ckpt.config();
            assertEquals(64, c.hiddenSize());
            assertEquals(16, c.headDim());
            assertEquals("dynamic", c.ropeType());
            // base' = 10000 · 1000^(16/14), spec §2.5 with head_dim 16
            assertEquals(10000 * Math.pow(1000, 16.0 / 14.0), c.effectiveRopeBase(), 1e-6);
            ModelWeights w = ModelWeights.load(ckpt);
            assertTrue(w.lmHead() == w.embedding());
            float[] row = new float[64];
            w.embedding().readRow(3, row, 0);
            float[] all = ckpt.files().get(0).readFloats("model.embed_tokens.weight");
            for (int i = 0; i < 64; i++) assertEquals(all[3 * 64 + i], row[i]);
        }
        try (SafetensorsFile ref = SafetensorsFile.open(TestData.path("golden/tiny-tied/reference_outputs.safetensors"))) {
            assertEquals(12, ref.readLongs("input_ids").length);
        }
    }
}
