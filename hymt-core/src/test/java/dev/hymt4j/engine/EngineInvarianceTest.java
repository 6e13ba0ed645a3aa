package dev.hymt4j.engine;

import dev.hymt4j.generate.GenerationConfig;
import dev.hymt4j.generate.GenerationResult;
import dev.hymt4j.generate.TokenListener;
import dev.hymt4j.model.CausalLm;
import dev.hymt4j.model.DemoModel;
import dev.hymt4j.model.HunyuanModel;
import dev.hymt4j.safetensors.DType;
import dev.hymt4j.testing.TestData;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Batch invariance, end to end: 12 requests with different prompt lengths (most sharing a "template" prefix),
 * max_new_tokens, sampling settings and arrival steps run through one engine with a small token budget (so
 * prompts are prefilled in chunks next to other sequences' decode tokens) — each request's tokens and the
 * logits of every step equal, bit for bit, those of the request run alone on an engine of default options.
 * On the golden model (F32) and the demo shape (F32 as {@code init-demo} writes it, and BF16, whose one-token
 * kernel path differs); with prefix caching on and off; and with a KV budget far smaller than the requests,
 * where later requests wait (and sequences are preempted and recomputed) without changing any result.
 */
class EngineInvarianceTest {
    static final int REQUESTS = 12;

    /** A request of the mix and what it saw: its tokens and the logits of each chosen token. */
    record Run(GenerationResult result, List<float[]> logits) {}

    record Spec(int[] prompt, GenerationConfig config, int arrivalStep) {}

    static List<Spec> mix(int vocab) {
        SplittableRandom rng = new SplittableRandom(42);
        int[] template = rng.ints(9, 1, vocab).toArray();
        List<Spec> specs = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            int length = 1 + (i * 7) % 23;
            int[] prompt = new int[(i % 3 == 2 ? 0 : template.length) + length];
            if (i % 3 != 2) System.arraycopy(template, 0, prompt, 0, template.length);
            for (int k = prompt.length - length; k < prompt.length; k++) prompt[k] = rng.nextInt(vocab);
            GenerationConfig.Builder c = GenerationConfig.builder().maxNewTokens(1 + (i * 5) % 13).seed(i);
            if (i % 2 == 1) c.sample(true).temperature(1.3f).topK(i % 4 == 1 ? 0 : 40).topP(0.9f).repetitionPenalty(1.1f);
            if (i == 4) c.stopTokenIds(Set.of(rng.nextInt(vocab)));
            specs.add(new Spec(prompt, c.build(), (i * 3) % 11));
        }
        return specs;
    }

    static Run alone(CausalLm model, Spec spec) {
        try (Engine engine = new Engine(model, EngineOptions.DEFAULTS)) {
            List<float[]> logits = new ArrayList<>();
            RequestHandle h = engine.submit(new GenerationRequest(spec.prompt(), spec.config(), null, capture(logits)));
            return new Run(engine.complete(List.of(h)).getFirst(), logits);
        }
    }

    static TokenListener capture(List<float[]> into) {
        return new TokenListener() {
            @Override
            public void onToken(int tokenId) {}

            @Override
            public void onLogits(float[] logits) {
                into.add(logits.clone());
            }
        };
    }

    /** All requests through one engine, each submitted just before the step of its arrival. */
    static List<Run> together(CausalLm model, List<Spec> specs, EngineOptions options, EngineMetrics[] finalMetrics,
                              boolean[] someoneWaitedWhileOthersRan) {
        try (Engine engine = new Engine(model, options)) {
            List<List<float[]>> logits = new ArrayList<>();
            List<RequestHandle> handles = new ArrayList<>();
            for (int i = 0; i < specs.size(); i++) {
                logits.add(new ArrayList<>());
                handles.add(null);
            }
            int submitted = 0;
            for (int step = 0; ; step++) {
                for (int i = 0; i < specs.size(); i++) {
                    if (specs.get(i).arrivalStep() != step) continue;
                    Spec s = specs.get(i);
                    handles.set(i, engine.submit(new GenerationRequest(s.prompt(), s.config(), null, capture(logits.get(i)))));
                    submitted++;
                }
                boolean busy = engine.step();
                EngineMetrics m = engine.metrics();
                if (m.waiting() > 0 && m.running() > 0) someoneWaitedWhileOthersRan[0] = true;
                if (!busy && submitted == specs.size()) break;
            }
            List<Run> runs = new ArrayList<>();
            for (int i = 0; i < specs.size(); i++) runs.add(new Run(handles.get(i).join(), logits.get(i)));
            finalMetrics[0] = engine.metrics();
            assertEquals(0, engine.cache().usedBlocks(), "all blocks returned after the run");
            assertEquals(engine.cache().capacity(), engine.cache().availableBlocks(), "free or evictable: nothing leaked");
            return runs;
        }
    }

    @ParameterizedTest(name = "{0}, prefix caching {1}, KV budget {2} blocks")
    @CsvSource({"golden,true,0", "golden,false,0", "golden,true,12", "demo-f32,true,0", "demo-bf16,true,0", "demo-bf16,false,10"})
    void everyRequestGetsWhatItGetsAlone(String modelName, boolean prefixCaching, int budgetBlocks, @TempDir Path tmp) throws Exception {
        try (HunyuanModel model = load(modelName, tmp)) {
            List<Spec> specs = mix(model.config().vocabSize());
            int blockSize = 4;
            long bytesPerBlock = 2L * model.config().numLayers() * blockSize * model.config().kvDim() * Float.BYTES;
            EngineOptions.Builder options = EngineOptions.builder().maxBatchTokens(16).blockSize(blockSize).prefixCaching(prefixCaching);
            if (budgetBlocks > 0) options.kvCacheBytes(budgetBlocks * bytesPerBlock);
            EngineMetrics[] metrics = new EngineMetrics[1];
            boolean[] waited = new boolean[1];
            List<Run> runs = together(model, specs, options.build(), metrics, waited);
            for (int i = 0; i < REQUESTS; i++) {
                Run alone = alone(model, specs.get(i)), mixed = runs.get(i);
                assertArrayEquals(alone.result().allIds(), mixed.result().allIds(), "request " + i + " tokens");
                assertEquals(alone.result().finishReason(), mixed.result().finishReason(), "request " + i);
                assertEquals(alone.logits().size(), mixed.logits().size());
                for (int t = 0; t < alone.logits().size(); t++) {
                    assertArrayEquals(alone.logits().get(t), mixed.logits().get(t), "request " + i + " logits of token " + t);
                }
            }
            EngineMetrics m = metrics[0];
            assertEquals(REQUESTS, m.completed());
            if (prefixCaching) assertTrue(m.prefixHits() > 0, "the shared template prefix is reused: " + m);
            else assertEquals(0, m.prefixHits());
            if (budgetBlocks > 0) assertTrue(waited[0], "with a budget smaller than the requests, later ones wait");
            System.out.printf("%s prefix=%b budget=%d: %d steps, %d prefix hits, %d misses, %d preemptions%n", modelName,
                    prefixCaching, budgetBlocks, m.steps(), m.prefixHits(), m.prefixMisses(), m.preemptions());
        }
    }

    static HunyuanModel load(String name, Path tmp) throws Exception {
        if (name.equals("golden")) return HunyuanModel.load(TestData.path("golden/tiny-tied"));
        // The demo shape of `hymt init-demo` (hymt-train's DemoSetup), with a vocabulary of the demo's size.
        DemoModel.write(tmp, new DemoModel.Shape(4000, 128, 4, 4, 2, 32, 384, true),
                name.equals("demo-bf16") ? DType.BF16 : DType.F32, 7);
        return HunyuanModel.load(tmp);
    }
}
