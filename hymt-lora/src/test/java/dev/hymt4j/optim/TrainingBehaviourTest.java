package dev.hymt4j.optim;

import dev.hymt4j.lora.LoraAdapter;
import dev.hymt4j.lora.LoraConfig;
import dev.hymt4j.model.HunyuanModel;
import dev.hymt4j.model.ModelConfig;
import dev.hymt4j.model.ModelWeights;
import dev.hymt4j.model.Training;
import dev.hymt4j.model.TrainingBatch;
import dev.hymt4j.quant.QuantizedModels;
import dev.hymt4j.tensor.Parameter;
import dev.hymt4j.testing.TestData;
import dev.hymt4j.testing.TinyModels;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Gradient checkpointing, dropout, accumulation and a short training run on random tiny models. */
class TrainingBehaviourTest {
    static final LoraConfig ALL = LoraConfig.of(4, 8, 0.1, "q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");

    @Test
    void checkpointingGivesTheSameGradientsAndSavesActivationMemory() {
        ModelConfig cfg = TinyModels.config(97, 32, 4, 4, 2, 8, 48, true, true);
        ModelWeights w = TinyModels.random(cfg, 1);
        TrainingBatch batch = TinyModels.batch(97, 3, 16, 2);
        float[][] grads = new float[2][];
        long[] bytes = new long[2];
        float[] losses = new float[2];
        // No warm-up: the kernels' reductions are deterministic (VectorMath.sum), so a cold interpreted pass and a
        // JIT-compiled one give the same bits, and recomputation reproduces the forward pass exactly.
        for (int run = 0; run < 2; run++) {
            LoraAdapter adapter = LoraAdapter.create(cfg, ALL, 3);
            TinyModels.randomizeB(adapter, 4);
            Training model = new Training(new HunyuanModel(w), adapter).setGradientCheckpointing(run == 1).setDropoutSeed(5);
            losses[run] = model.forwardBackward(batch, 1f);
            bytes[run] = model.savedActivationBytes();
            grads[run] = flatGrads(adapter);
        }
        assertEquals(losses[0], losses[1], 0f, "same dropout masks, same loss");
        double err = TestData.relL2(grads[1], grads[0]);
        assertTrue(err <= 1e-6, "checkpointed gradients differ: rel L2 " + err);
        assertArrayEquals(grads[0], grads[1], "recomputation is bit-exact");
        assertTrue(bytes[1] < bytes[0] / 2, "checkpointing saved " + bytes[1] + " vs " + bytes[0] + " bytes");
        System.out.printf("checkpointing: gradients rel L2 %.1e, saved activations %d → %d bytes (%.1f×)%n",
                err, bytes[0], bytes[1], (double) bytes[0] / bytes[1]);
    }

    @Test
    void aKeptTapeGivesTheSameLossAndGradientsAsAFreshOne() {
        ModelConfig cfg = TinyModels.config(97, 32, 3, 4, 2, 8, 48, true, true);
        ModelWeights w = TinyModels.random(cfg, 21);
        // Largest first, then shapes that fit in its tape (fewer rows, shorter rows, other padding and tokens),
        // then one whose rows are too long for it (a new tape), then the first again.
        TrainingBatch[] batches = {TinyModels.batch(97, 3, 16, 22), TinyModels.batch(97, 2, 9, 23), TinyModels.batch(97, 3, 5, 24),
                TinyModels.batch(97, 2, 20, 25), TinyModels.batch(97, 3, 16, 26)};
        for (boolean checkpointing : new boolean[]{false, true}) {
            LoraAdapter kept = LoraAdapter.create(cfg, ALL, 27), fresh = LoraAdapter.create(cfg, ALL, 27);
            TinyModels.randomizeB(kept, 28);
            TinyModels.randomizeB(fresh, 28);
            Training reused = new Training(new HunyuanModel(w), kept).setGradientCheckpointing(checkpointing);
            for (int i = 0; i < batches.length; i++) {
                kept.zeroGrad();
                fresh.zeroGrad();
                float a = reused.setDropoutSeed(30 + i).forwardBackward(batches[i], 1f);
                float b = new Training(new HunyuanModel(w), fresh).setGradientCheckpointing(checkpointing).setDropoutSeed(30 + i)
                        .forwardBackward(batches[i], 1f);
                assertEquals(b, a, 0f, "loss of batch " + i + (checkpointing ? " (checkpointing)" : ""));
                assertArrayEquals(flatGrads(fresh), flatGrads(kept), "gradients of batch " + i + (checkpointing ? " (checkpointing)" : ""));
            }
        }
    }

    @Test
    void dropoutChangesTheTrainingLossButNotEvaluation() {
        ModelConfig cfg = TinyModels.config(61, 24, 2, 4, 2, 6, 30, false, true);
        ModelWeights w = TinyModels.random(cfg, 6);
        TrainingBatch batch = TinyModels.batch(61, 2, 9, 7);
        LoraAdapter adapter = LoraAdapter.create(cfg, ALL, 8);
        TinyModels.randomizeB(adapter, 9);
        Training model = new Training(new HunyuanModel(w), adapter);
        double eval = model.loss(batch);
        float train1 = model.forwardBackward(batch, 1f), train2 = model.forwardBackward(batch, 1f);
        assertTrue(train1 != train2, "each pass draws new dropout masks");
        assertEquals(eval, model.loss(batch), 0.0, "evaluation has no dropout");
        LoraAdapter noDrop = LoraAdapter.create(cfg, LoraConfig.of(4, 8, 0.0, "q_proj", "k_proj", "v_proj", "o_proj",
                "gate_proj", "up_proj", "down_proj"), 8);
        TinyModels.randomizeB(noDrop, 9);
        assertEquals(eval, new Training(new HunyuanModel(w), noDrop).forwardBackward(batch, 1f), 1e-6);
    }

    @Test
    void accumulatingMicroBatchesEqualsTheFullBatch() {
        ModelConfig cfg = TinyModels.config(61, 24, 2, 4, 1, 6, 30, true, true);
        ModelWeights w = TinyModels.random(cfg, 10);
        TrainingBatch full = TinyModels.batch(61, 3, 8, 11);
        LoraConfig noDropout = LoraConfig.of(4, 8, 0.0, "q_proj", "v_proj", "down_proj");
        LoraAdapter a = LoraAdapter.create(cfg, noDropout, 12), b = LoraAdapter.create(cfg, noDropout, 12);
        TinyModels.randomizeB(a, 13);
        TinyModels.randomizeB(b, 13);
        Training whole = new Training(new HunyuanModel(w), a), parts = new Training(new HunyuanModel(w), b);
        float loss = whole.forwardBackward(full, 1f);
        // Same rows as three micro-batches of one row each, weighted by their label counts (HF Trainer semantics).
        List<TrainingBatch> micro = List.of(row(full, 0), row(full, 1), row(full, 2));
        int total = micro.stream().mapToInt(TrainingBatch::targetCount).sum();
        assertEquals(full.targetCount(), total);
        AdamW opt = new AdamW(b.parameters(), 0, 0.9, 0.999, 1e-8, 0);
        LoraTrainer trainer = new LoraTrainer(parts, opt, new LrSchedule(LrSchedule.Type.CONSTANT, 0, 0, 1), 0);
        // Capture the accumulated gradients before the trainer zeroes them: a zero learning rate keeps the weights.
        double accumulatedLoss = 0;
        for (TrainingBatch m : micro) accumulatedLoss += (double) m.targetCount() / total * parts.forwardBackward(m, (float) m.targetCount() / total);
        assertEquals(loss, accumulatedLoss, 1e-5);
        double err = TestData.relL2(flatGrads(b), flatGrads(a));
        assertTrue(err < 1e-5, "accumulated gradients rel L2 " + err);
        b.zeroGrad();
        LoraTrainer.StepResult r = trainer.step(micro);
        assertEquals(loss, r.loss(), 1e-5);
        assertEquals(total, r.tokens());
    }

    @Test
    void trainingLowersTheLoss() {
        ModelConfig cfg = TinyModels.config(61, 32, 2, 4, 2, 8, 40, true, true);
        ModelWeights w = TinyModels.random(cfg, 14);
        TrainingBatch batch = TinyModels.batch(61, 2, 12, 15);
        LoraAdapter adapter = LoraAdapter.create(cfg, ALL, 16);
        Training model = new Training(new HunyuanModel(w), adapter);
        double before = model.loss(batch);
        LoraTrainer trainer = new LoraTrainer(model, AdamW.withDefaults(adapter.parameters(), 1e-2),
                new LrSchedule(LrSchedule.Type.LINEAR, 1e-2, 2, 30), 1.0);
        for (int i = 0; i < 30; i++) trainer.step(List.of(batch));
        double after = model.loss(batch);
        assertTrue(after < 0.7 * before, "loss " + before + " → " + after);
    }

    @Test
    void qloraTrainingOnAnNf4BaseLowersTheLoss() {
        ModelConfig cfg = TinyModels.config(61, 64, 2, 4, 2, 16, 96, true, true);
        ModelWeights nf4 = QuantizedModels.nf4(TinyModels.random(cfg, 17), 64, true);
        assertEquals("NF4-DQ", nf4.layers()[0].q().format());
        TrainingBatch batch = TinyModels.batch(61, 2, 12, 18);
        LoraAdapter adapter = LoraAdapter.create(cfg, ALL, 19);
        Training model = new Training(new HunyuanModel(nf4), adapter).setGradientCheckpointing(true);
        double before = model.loss(batch);
        LoraTrainer trainer = new LoraTrainer(model, AdamW.withDefaults(adapter.parameters(), 1e-2),
                new LrSchedule(LrSchedule.Type.COSINE, 1e-2, 2, 30), 1.0);
        for (int i = 0; i < 30; i++) trainer.step(List.of(batch));
        double after = model.loss(batch);
        assertTrue(after < 0.7 * before, "QLoRA loss " + before + " → " + after);
        System.out.printf("QLoRA on NF4 (double-quant) base: loss %.4f → %.4f in 30 steps%n", before, after);
    }

    static TrainingBatch row(TrainingBatch b, int r) {
        int len = b.length();
        return new TrainingBatch(1, len, Arrays.copyOfRange(b.inputIds(), r * len, (r + 1) * len),
                Arrays.copyOfRange(b.attentionMask(), r * len, (r + 1) * len), Arrays.copyOfRange(b.labels(), r * len, (r + 1) * len));
    }

    static float[] flatGrads(LoraAdapter adapter) {
        int n = adapter.parameters().stream().mapToInt(Parameter::size).sum();
        float[] all = new float[n];
        int o = 0;
        for (Parameter p : adapter.parameters()) {
            System.arraycopy(p.grad(), 0, all, o, p.size());
            o += p.size();
        }
        return all;
    }
}
