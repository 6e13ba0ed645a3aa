package dev.hymt4j.engine;

import dev.hymt4j.generate.GenerationConfig;
import dev.hymt4j.generate.GenerationResult;
import dev.hymt4j.lora.LoraAdapter;
import dev.hymt4j.lora.LoraConfig;
import dev.hymt4j.model.ForwardOptions;
import dev.hymt4j.model.HunyuanModel;
import dev.hymt4j.model.ModelConfig;
import dev.hymt4j.model.Training;
import dev.hymt4j.model.TrainingBatch;
import dev.hymt4j.testing.TestData;
import dev.hymt4j.testing.TinyModels;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Per-request LoRA adapters: sequences with different adapters (or none) share one batch. */
class AdapterBatchTest {
    static final ModelConfig CONFIG = TinyModels.config(61, 32, 2, 4, 2, 8, 40, true, true);
    static final HunyuanModel MODEL = new HunyuanModel(TinyModels.random(CONFIG, 21));
    static final LoraConfig ALL = LoraConfig.of(4, 8, 0.0, "q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");

    static LoraAdapter adapter(long seed, LoraConfig config) {
        LoraAdapter a = LoraAdapter.create(CONFIG, config, seed);
        TinyModels.randomizeB(a, seed + 1);
        return a;
    }

    /**
     * The inference step with an adapter computes what the training forward computes. Not bit for bit: inference
     * attention is tiled (online softmax, {@code TiledAttention}) while training keeps whole probability rows for
     * its backward pass, so the two sum in different orders; every linear and LoRA product is shared code.
     */
    @Test
    void inferenceWithAnAdapterEqualsTheTrainingForward() {
        LoraAdapter a = adapter(22, ALL);
        int[] ids = {1, 5, 9, 13, 2, 40, 60, 7};
        float[] training = new Training(MODEL, a).logits(TrainingBatch.ofSequence(ids));
        float[] inference = MODEL.forward(ids, ForwardOptions.ALL_LOGITS, a).logits();
        double err = TestData.relL2(training, inference);
        assertTrue(err < 1e-6, "inference vs training forward, relative L2 " + err);
        double baseErr = TestData.relL2(MODEL.forward(ids, ForwardOptions.ALL_LOGITS).logits(), training);
        assertTrue(baseErr > 1e-3, "the adapter changes the output: " + baseErr);
    }

    /** Two adapters (one adapting only some projections) and the base model in one running batch. */
    @Test
    void requestsWithDifferentAdaptersShareABatchAndGetWhatTheyGetAlone() {
        LoraAdapter a = adapter(30, ALL), b = adapter(40, LoraConfig.of(2, 4, 0.0, "q_proj", "down_proj"));
        LoraAdapter[] adapters = {a, b, null, a, b, a};
        int[][] prompts = {{1, 2, 3, 4, 5, 6, 7}, {1, 2, 3, 4, 5, 6, 7}, {1, 2, 3, 4, 5, 6, 7}, {30, 31},
                {11, 12, 13, 14, 15, 16, 17, 18, 19}, {1, 2, 3, 4, 5, 6, 7, 8}};
        GenerationConfig greedy = GenerationConfig.builder().greedy().maxNewTokens(6).build();
        List<RequestHandle> handles = new ArrayList<>();
        try (Engine engine = new Engine(MODEL, EngineOptions.builder().maxBatchTokens(8).blockSize(4).build())) {
            for (int i = 0; i < prompts.length; i++) {
                handles.add(engine.submit(new GenerationRequest(prompts[i], greedy, adapters[i], null)));
                if (i == 0) engine.step();   // request 0's first block is cached before the others arrive
            }
            List<GenerationResult> together = engine.complete(handles);
            for (int i = 0; i < prompts.length; i++) {
                try (Engine alone = new Engine(MODEL, EngineOptions.DEFAULTS)) {
                    RequestHandle h = alone.submit(new GenerationRequest(prompts[i], greedy, adapters[i], null));
                    assertArrayEquals(alone.complete(List.of(h)).getFirst().allIds(), together.get(i).allIds(), "request " + i);
                }
            }
            // Only request 5 (same prefix, same adapter as request 0) may reuse request 0's block; requests 1 and 2
            // have the same tokens under another adapter or none, whose keys and values differ.
            assertEquals(1, engine.metrics().prefixHits(), "prefix hits");
        }
    }
}
