package dev.hymt4j.serve;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hymt4j.generate.GenerationConfig;
import dev.hymt4j.generate.Generator;
import dev.hymt4j.generate.TokenListener;
import dev.hymt4j.lora.LoraAdapter;
import dev.hymt4j.lora.LoraConfig;
import dev.hymt4j.lora.LoraModule;
import dev.hymt4j.merge.Merger;
import dev.hymt4j.safetensors.DType;
import dev.hymt4j.model.HunyuanModel;
import dev.hymt4j.tokenizer.Tokenizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static dev.hymt4j.serve.OpenAiApiTest.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * Per-request adapters: two PEFT adapters loaded at start-up, chosen by {@code "model": "base:name"} or
 * {@code "adapter"}, served together by the engine. The reference for each is the adapter merged into the base
 * weights ({@code hymt merge}) and run alone.
 */
class AdapterTest {
    @TempDir
    static Path dir;
    static TranslationServer server;
    static TestServers.Client client;
    static String base;

    @BeforeAll
    static void start() throws Exception {
        try (HunyuanModel model = HunyuanModel.load(TestServers.demoModel())) {
            for (String name : List.of("legal", "medical")) {
                LoraAdapter adapter = LoraAdapter.create(model.config(), LoraConfig.of(4, 16, 0, "q_proj", "v_proj", "down_proj"),
                        name.hashCode());
                SplittableRandom rng = new SplittableRandom(name.length());
                for (LoraModule m : adapter.modules()) {
                    float[] b = m.b().value();
                    for (int i = 0; i < b.length; i++) b[i] = (float) rng.nextDouble(-0.5, 0.5);
                }
                adapter.save(dir.resolve(name));
            }
        }
        server = TestServers.start(TestServers.options().withAdapters(Map.of("legal", dir.resolve("legal"), "medical", dir.resolve("medical"))));
        client = new TestServers.Client(server);
        base = TestServers.options().modelName();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** Greedy text of the reference: the adapter merged into a copy of the base weights (PEFT's merge), run alone. */
    private static String reference(String adapterName, int[] prompt, int tokens) throws Exception {
        Path modelDir = TestServers.demoModel();
        if (adapterName != null) {
            modelDir = dir.resolve("merged-" + adapterName);
            if (!Files.isDirectory(modelDir)) Merger.merge(TestServers.demoModel(), dir.resolve(adapterName), modelDir, DType.F32);
        }
        try (HunyuanModel model = HunyuanModel.load(modelDir)) {
            int[] ids = new Generator(model).generate(prompt, GenerationConfig.builder().greedy().maxNewTokens(tokens).build(),
                    TokenListener.NONE).generatedIds();
            return Tokenizer.load(TestServers.demoModel()).decode(ids, true, false);
        }
    }

    @Test
    void eachRequestGetsItsAdapter() throws Exception {
        JsonNode models = client.get("/v1/models").json().get("data");
        assertEquals(List.of(base, base + ":legal", base + ":medical"), List.of(models.get(0).get("id").asText(),
                models.get(1).get("id").asText(), models.get(2).get("id").asText()));
        int[] prompt = {1, 2, 3, 4, 5, 6, 7, 8};
        // Greedy without the model's default repetition penalty, as the reference decodes.
        Map<String, Object> request = Map.of("prompt", prompt, "max_tokens", 8, "ignore_eos", true, "temperature", 0,
                "repetition_penalty", 1.0);
        String baseText = text(client.postJson("/v1/completions", request));
        String legal = text(client.postJson("/v1/completions", with(request, "model", base + ":legal")));
        String medical = text(client.postJson("/v1/completions", with(request, "adapter", "medical")));
        assertEquals(reference(null, prompt, 8), baseText);
        assertEquals(reference("legal", prompt, 8), legal);
        assertEquals(reference("medical", prompt, 8), medical);
        assertNotEquals(baseText, legal);
        assertNotEquals(legal, medical);
        assertEquals(base + ":legal", client.postJson("/v1/completions", with(request, "model", base + ":legal")).json().get("model").asText());
    }

    @Test
    void differentAdaptersShareOneBatch() throws Exception {
        int[] prompt = {9, 8, 7, 6, 5, 4, 3, 2, 1};
        Map<String, Object> request = Map.of("prompt", prompt, "max_tokens", 12, "ignore_eos", true, "temperature", 0,
                "repetition_penalty", 1.0);
        List<String> models = List.of(base, base + ":legal", base + ":medical", base + ":legal", base, base + ":medical");
        List<String> texts = new java.util.ArrayList<>();
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            List<java.util.concurrent.Future<String>> futures = new java.util.ArrayList<>();
            for (String m : models) futures.add(pool.submit(() -> text(client.postJson("/v1/completions", with(request, "model", m)))));
            for (var f : futures) texts.add(f.get());
        }
        Map<String, String> expected = Map.of(base, reference(null, prompt, 12), base + ":legal", reference("legal", prompt, 12),
                base + ":medical", reference("medical", prompt, 12));
        for (int i = 0; i < models.size(); i++) assertEquals(expected.get(models.get(i)), texts.get(i), models.get(i));
    }

    @Test
    void unknownOrConflictingAdapters() {
        Map<String, Object> request = Map.of("prompt", "x", "max_tokens", 1);
        assertError(client.postJson("/v1/completions", with(request, "model", base + ":tax")), 404, "not_found_error", null,
                "this server has " + base + ", " + base + ":legal, " + base + ":medical");
        assertError(client.postJson("/v1/completions", with(with(request, "model", base + ":legal"), "adapter", "medical")), 400,
                "invalid_request_error", "adapter", "disagree");
    }

    private static String text(TestServers.Reply r) {
        assertEquals(200, r.status(), r.body());
        return r.json().get("choices").get(0).get("text").asText();
    }

    private static Map<String, Object> with(Map<String, Object> m, String k, Object v) {
        Map<String, Object> copy = new java.util.HashMap<>(m);
        copy.put(k, v);
        return copy;
    }
}
