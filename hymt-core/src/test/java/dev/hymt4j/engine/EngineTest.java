package dev.hymt4j.engine;

import dev.hymt4j.generate.FinishReason;
import dev.hymt4j.generate.GenerationConfig;
import dev.hymt4j.generate.GenerationException;
import dev.hymt4j.generate.GenerationResult;
import dev.hymt4j.generate.TokenListener;
import dev.hymt4j.model.HunyuanModel;
import dev.hymt4j.model.LayerWeights;
import dev.hymt4j.model.ModelConfig;
import dev.hymt4j.model.ModelWeights;
import dev.hymt4j.safetensors.SafetensorsFile;
import dev.hymt4j.testing.TestData;
import dev.hymt4j.testing.TinyModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletionException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The request API of the engine: results, streaming, cancellation, the queue bound, failures. */
class EngineTest {
    static HunyuanModel model;
    static int[] prompt, expected;
    static final GenerationConfig GREEDY_16 = GenerationConfig.builder().greedy().maxNewTokens(16).build();

    @BeforeAll
    static void open() throws Exception {
        model = HunyuanModel.load(TestData.path("golden/tiny-tied"));
        try (SafetensorsFile ref = SafetensorsFile.open(TestData.path("golden/tiny-tied/reference_outputs.safetensors"))) {
            prompt = Arrays.stream(ref.readLongs("greedy_prompt")).mapToInt(Math::toIntExact).toArray();
            expected = Arrays.stream(ref.readLongs("greedy_output")).mapToInt(Math::toIntExact).toArray();
        }
    }

    @AfterAll
    static void close() {
        model.close();
    }

    /** transformers' greedy tokens, with other requests joining and leaving the batch around it. */
    @Test
    void greedyMatchesTheReferenceAmongOtherRequests() {
        try (Engine engine = new Engine(model, EngineOptions.builder().maxBatchTokens(6).blockSize(4).build())) {
            List<Integer> streamed = new ArrayList<>();
            RequestHandle main = engine.submit(new GenerationRequest(prompt, GREEDY_16, null, streamed::add));
            engine.step();
            RequestHandle other = engine.submit(GenerationRequest.of(new int[]{7, 300, 42, 9, 11, 100, 3, 250, 1, 2, 3},
                    GenerationConfig.builder().greedy().maxNewTokens(3).build()));
            List<GenerationResult> results = engine.complete(List.of(main, other));
            assertArrayEquals(expected, results.get(0).allIds());
            assertEquals(FinishReason.MAX_NEW_TOKENS, results.get(0).finishReason());
            assertEquals(Arrays.stream(results.get(0).generatedIds()).boxed().toList(), streamed);
            assertEquals(3, results.get(1).generatedTokens());
            assertEquals(0, engine.cache().usedBlocks(), "every block is returned");
            assertFalse(engine.step(), "nothing left to do");
        }
    }

    /** The engine's own loop serves requests submitted from several threads; close cancels what is left. */
    @Test
    void startedEngineServesConcurrentSubmitters() throws Exception {
        Engine engine = new Engine(model, EngineOptions.builder().blockSize(4).build());
        engine.start();
        List<Thread> threads = new ArrayList<>();
        List<GenerationResult> results = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < 4; i++) {
            Thread t = new Thread(() -> results.add(engine.submit(GenerationRequest.of(prompt, GREEDY_16)).join()));
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) t.join();
        for (GenerationResult r : results) assertArrayEquals(expected, r.allIds());
        RequestHandle endless = engine.submit(GenerationRequest.of(prompt, GenerationConfig.builder().greedy().maxNewTokens(100000).build()));
        engine.close();
        assertEquals(FinishReason.CANCELLED, endless.join().finishReason());
        assertEquals(0, engine.cache().usedBlocks());
        assertThrows(IllegalStateException.class, () -> engine.submit(GenerationRequest.of(prompt, GREEDY_16)));
    }

    @Test
    void cancellingMidGenerationFreesItsBlocksAndKeepsItsTokens() {
        try (Engine engine = new Engine(model, EngineOptions.builder().blockSize(4).prefixCaching(false).build())) {
            RequestHandle h = engine.submit(GenerationRequest.of(prompt, GREEDY_16));
            for (int i = 0; i < 4; i++) engine.step();
            assertTrue(engine.cache().usedBlocks() > 0);
            h.cancel();
            GenerationResult r = h.join();
            assertEquals(FinishReason.CANCELLED, r.finishReason());
            assertArrayEquals(Arrays.copyOf(expected, prompt.length + 4), r.allIds(), "the tokens chosen before the cancel");
            assertEquals(0, engine.cache().usedBlocks());
            assertEquals(1, engine.metrics().cancelled());
        }
    }

    /** cancelAll stops what is waiting and running, frees every block, and leaves requests submitted later alone. */
    @Test
    void cancelAllCancelsWhatWasSubmittedBeforeIt() {
        try (Engine engine = new Engine(model, EngineOptions.builder().blockSize(4).maxSequences(1).prefixCaching(false).build())) {
            RequestHandle running = engine.submit(GenerationRequest.of(prompt, GREEDY_16));
            RequestHandle waiting = engine.submit(GenerationRequest.of(prompt, GREEDY_16));
            for (int i = 0; i < 3; i++) engine.step();
            engine.cancelAll();
            assertEquals(FinishReason.CANCELLED, running.join().finishReason());
            assertArrayEquals(Arrays.copyOf(expected, prompt.length + 3), running.join().allIds(), "the tokens chosen before");
            assertEquals(FinishReason.CANCELLED, waiting.join().finishReason());
            assertEquals(0, waiting.join().generatedTokens());
            assertEquals(0, engine.cache().usedBlocks());
            assertEquals(2, engine.metrics().cancelled());
            RequestHandle later = engine.submit(GenerationRequest.of(prompt, GREEDY_16));
            assertArrayEquals(expected, engine.complete(List.of(later)).getFirst().allIds());
        }
    }

    /**
     * A listener runs inside the step: cancelling from it (a server's stop string, a shutdown) takes effect when
     * the next step begins, before anything more is computed, and never disturbs the step in progress.
     */
    @Test
    void cancellingFromAListenerTakesEffectAtTheNextStep() {
        try (Engine engine = new Engine(model, EngineOptions.builder().blockSize(4).prefixCaching(false).build())) {
            List<Integer> streamed = new ArrayList<>();
            TokenListener cancelAllAtThird = id -> {
                streamed.add(id);
                if (streamed.size() == 3) engine.cancelAll();
            };
            RequestHandle a = engine.submit(new GenerationRequest(prompt, GREEDY_16, null, cancelAllAtThird));
            RequestHandle b = engine.submit(GenerationRequest.of(new int[]{5, 6, 7}, GREEDY_16));
            engine.complete(List.of(a, b));
            assertEquals(FinishReason.CANCELLED, a.join().finishReason());
            assertArrayEquals(Arrays.copyOf(expected, prompt.length + 3), a.join().allIds());
            assertEquals(FinishReason.CANCELLED, b.join().finishReason());
            assertEquals(3, b.join().generatedTokens(), "b ran in the same steps as a");
            assertEquals(0, engine.cache().usedBlocks());
        }
    }

    /**
     * Hand count: two 3-token prompts with 2 new tokens each run as one prefill step (2 sequences, 6 tokens) and one
     * decode step (2 sequences, 2 tokens); then a 5-token prompt with 1 new token alone (1 sequence, 5 tokens).
     * Buckets are Prometheus' upper-inclusive powers of two: entry i counts n with 2^(i-1) < n ≤ 2^i.
     */
    @Test
    void metricsCountSequencesAndTokensPerStep() {
        assertArrayEquals(new int[]{0, 1, 2, 2, 3, 3, 3, 3, 4, 4, 5},
                java.util.stream.IntStream.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 16, 17).map(EngineMetrics::bucket).toArray());
        try (Engine engine = new Engine(model, EngineOptions.builder().prefixCaching(false).build())) {
            GenerationConfig two = GenerationConfig.builder().greedy().maxNewTokens(2).build();
            engine.complete(List.of(engine.submit(GenerationRequest.of(new int[]{1, 2, 3}, two)),
                    engine.submit(GenerationRequest.of(new int[]{4, 5, 6}, two))));
            engine.complete(List.of(engine.submit(GenerationRequest.of(new int[]{1, 2, 3, 4, 5},
                    GenerationConfig.builder().greedy().maxNewTokens(1).build()))));
            EngineMetrics m = engine.metrics();
            assertEquals(3, m.steps());
            assertArrayEquals(new long[]{1, 2, 0, 0}, Arrays.copyOf(m.sequencesPerStep(), 4));
            assertEquals(1 + 2 + 2, m.stepSequences());
            assertArrayEquals(new long[]{0, 1, 0, 2, 0}, Arrays.copyOf(m.tokensPerStep(), 5));
            assertEquals(6 + 2 + 5, m.computedTokens());
        }
    }

    @Test
    void aFullQueueRefusesMoreRequests() {
        try (Engine engine = new Engine(model, EngineOptions.builder().maxQueue(2).build())) {
            engine.submit(GenerationRequest.of(prompt, GREEDY_16));
            engine.submit(GenerationRequest.of(prompt, GREEDY_16));
            assertThrows(QueueFullException.class, () -> engine.submit(GenerationRequest.of(prompt, GREEDY_16)));
            engine.step();   // both admitted: the queue has room again
            engine.submit(GenerationRequest.of(prompt, GREEDY_16));
        }
    }

    @Test
    void badPromptsFailAtSubmission() {
        try (Engine engine = new Engine(model, EngineOptions.DEFAULTS)) {
            var e = assertThrows(IllegalArgumentException.class, () -> engine.submit(GenerationRequest.of(new int[]{1, 512}, GREEDY_16)));
            assertEquals("prompt token id 512 at 1 is outside the vocabulary [0, 512)", e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> GenerationRequest.of(new int[0], GREEDY_16));
        }
    }

    /** NaN weights make NaN logits: the request fails with a message instead of emitting token 0; others go on. */
    @Test
    void nonFiniteLogitsFailTheRequestWithAMessage() {
        ModelConfig c = TinyModels.config(61, 16, 1, 2, 1, 8, 24, true, true);
        ModelWeights w = TinyModels.random(c, 3);
        LayerWeights l = w.layers()[0];
        float[] poisoned = l.postAttentionNorm().clone();
        Arrays.fill(poisoned, Float.NaN);
        ModelWeights broken = new ModelWeights(c, w.embedding(), new LayerWeights[]{new LayerWeights(l.inputNorm(), l.q(), l.k(),
                l.v(), l.o(), l.queryNorm(), l.keyNorm(), poisoned, l.gate(), l.up(), l.down())}, w.finalNorm(), w.lmHead());
        try (Engine engine = new Engine(new HunyuanModel(broken), EngineOptions.DEFAULTS)) {
            RequestHandle h = engine.submit(GenerationRequest.of(new int[]{1, 2, 3}, GREEDY_16));
            CompletionException e = assertThrows(CompletionException.class, () -> engine.complete(List.of(h)));
            assertInstanceOf(GenerationException.class, e.getCause());
            assertEquals("request 1: token 1 after a prompt of 3 tokens: the model produced NaN logits (token id 0), so no token"
                    + " was chosen; model.layers.0.post_attention_layernorm.weight holds NaN at index 0: the model's weights are"
                    + " damaged (re-download or re-convert them)", e.getCause().getMessage());
            assertEquals(0, engine.cache().usedBlocks());
            assertEquals(1, engine.metrics().failed());
        }
    }

    @Test
    void aFailingListenerFailsOnlyItsRequest() {
        try (Engine engine = new Engine(model, EngineOptions.DEFAULTS)) {
            TokenListener throwing = id -> {
                throw new IllegalStateException("client went away");
            };
            RequestHandle bad = engine.submit(new GenerationRequest(prompt, GREEDY_16, null, throwing));
            RequestHandle good = engine.submit(GenerationRequest.of(prompt, GREEDY_16));
            while (engine.step()) { }
            assertTrue(bad.result().isCompletedExceptionally());
            assertArrayEquals(expected, good.join().allIds());
        }
    }
}
