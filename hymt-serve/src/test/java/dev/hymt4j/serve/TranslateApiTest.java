package dev.hymt4j.serve;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.hymt4j.serve.OpenAiApiTest.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The native /v1/translate, /tokenize and /detokenize, /health, /v1/models and /metrics over real HTTP. */
class TranslateApiTest {
    static TestServers.Client client;

    @BeforeAll
    static void start() {
        client = new TestServers.Client(TestServers.shared());
    }

    @Test
    void healthModelsAndMetrics() {
        TestServers.Reply health = client.get("/health");
        assertEquals(200, health.status());
        assertEquals("{\"status\":\"ok\"}", health.body());
        JsonNode models = client.get("/v1/models").json();
        assertEquals("list", models.get("object").asText());
        assertEquals(TestServers.options().modelName(), models.get("data").get(0).get("id").asText());
        TestServers.Reply metrics = client.get("/metrics");
        assertEquals(200, metrics.status());
        assertTrue(metrics.header("Content-Type").startsWith("text/plain; version=0.0.4"));
        for (String series : List.of("hymt_requests_total{", "hymt_num_requests_waiting ", "hymt_num_requests_running ",
                "hymt_batch_size_bucket{le=\"1\"}", "hymt_prompt_tokens_total ", "hymt_generation_tokens_total ",
                "hymt_time_to_first_token_seconds_bucket", "hymt_time_per_output_token_seconds_count",
                "hymt_e2e_request_latency_seconds_sum", "# TYPE hymt_batch_size histogram", "hymt_kv_cache_blocks_used ",
                "hymt_kv_cache_blocks_free ", "hymt_prefix_cache_hits_total ", "hymt_prefix_cache_queries_total ")) {
            assertTrue(metrics.body().contains(series), series);
        }
    }

    @Test
    void translatesWithTheOfficialTemplateAndReportsTheDetectedSource() {
        String text = "Select a magnification for the print preview.";
        JsonNode j = client.postJson("/v1/translate", Map.of("text", text, "target", "de", "max_tokens", 4, "ignore_eos", true)).json();
        JsonNode t = j.get("translations").get(0);
        // XX⇄XX template with the English name (spec §6.1, §6.2), in [BOS, USER, …, ENDING].
        String prompt = "Translate the following segment into German, without additional explanation.\n\n" + text;
        assertEquals(3 + client.tokenCount(prompt), t.get("prompt_tokens").asInt());
        assertEquals(4, t.get("completion_tokens").asInt());
        assertEquals("length", t.get("finish_reason").asText());
        assertEquals("en", t.get("source_language").asText());
        assertEquals("en", t.get("detected_language").get("language").asText());
        assertTrue(t.get("timings").has("first_token_ms"));

        // A given Chinese source selects the Chinese template (§6.2) and is not "detected".
        JsonNode zh = client.postJson("/v1/translate", Map.of("text", "选择页面预览的放大比例。", "source", "zh", "target", "en",
                "max_tokens", 1, "ignore_eos", true)).json().get("translations").get(0);
        assertEquals(3 + client.tokenCount("将以下文本翻译为英语，注意只需要输出翻译后的结果，不要额外解释：\n\n选择页面预览的放大比例。"),
                zh.get("prompt_tokens").asInt());
        assertFalse(zh.has("detected_language"));
    }

    @Test
    void glossaryContextAndBatches() {
        JsonNode g = client.postJson("/v1/translate", Map.of("text", "Open the house", "target", "zh",
                "glossary", List.of(List.of("house", "本店")), "max_tokens", 1, "ignore_eos", true)).json();
        String terminology = "参考下面的翻译：\nhouse 翻译成 本店\n\n将以下文本翻译为中文，注意只需要输出翻译后的结果，不要额外解释：\nOpen the house";
        assertEquals(3 + client.tokenCount(terminology), g.get("translations").get(0).get("prompt_tokens").asInt());
        JsonNode c = client.postJson("/v1/translate", Map.of("text", "It is.", "target", "zh", "context", "Is it raining?",
                "max_tokens", 1, "ignore_eos", true)).json();
        String context = "Is it raining?\n参考上面的信息，把下面的文本翻译成中文，注意不需要翻译上文，也不要额外解释：\nIt is.";
        assertEquals(3 + client.tokenCount(context), c.get("translations").get(0).get("prompt_tokens").asInt());
        JsonNode batch = client.postJson("/v1/translate", Map.of("text", List.of("One", "Two", "Three"), "target", "fr",
                "max_tokens", 2, "ignore_eos", true)).json();
        assertEquals(3, batch.get("translations").size());
        assertEquals(6, batch.get("usage").get("completion_tokens").asInt());
    }

    @Test
    void streamsDeltasThenEachTranslationThenDone() {
        Map<String, Object> request = new HashMap<>(Map.of("text", List.of("Hello", "World"), "target", "ja", "max_tokens", 6,
                "ignore_eos", true, "seed", 3, "repetition_penalty", 2.0)); // visible text from the random demo model
        JsonNode whole = client.postJson("/v1/translate", request).json();
        request.put("stream", true);
        List<String> events = client.postJson("/v1/translate", request).events();
        assertEquals("[DONE]", events.getLast());
        StringBuilder[] deltas = {new StringBuilder(), new StringBuilder()};
        int translations = 0;
        for (String e : events.subList(0, events.size() - 1)) {
            JsonNode event = TestServers.json(e);
            switch (event.get("type").asText()) {
                case "delta" -> deltas[event.get("index").asInt()].append(event.get("text").asText());
                case "translation" -> {
                    int i = event.get("index").asInt();
                    assertEquals(whole.get("translations").get(i).get("text").asText(), event.get("text").asText());
                    assertEquals(event.get("text").asText(), deltas[i].toString().strip());
                    assertFalse(event.get("text").asText().isEmpty());
                    translations++;
                }
                case "done" -> assertEquals(12, event.get("usage").get("completion_tokens").asInt());
                default -> throw new AssertionError(e);
            }
        }
        assertEquals(2, translations);
    }

    @Test
    void translateErrors() {
        assertError(client.postJson("/v1/translate", Map.of("target", "de")), 400, "invalid_request_error", "text", "missing field 'text'");
        assertError(client.postJson("/v1/translate", Map.of("text", "x")), 400, "invalid_request_error", "target", "missing field 'target'");
        assertError(client.postJson("/v1/translate", Map.of("text", "x", "target", "xx")), 400, "invalid_request_error", "target",
                "Unknown language 'xx'");
        assertError(client.postJson("/v1/translate", Map.of("text", "x", "target", "zh", "glossary", List.of(List.of("a", "b")),
                "context", "c")), 400, "invalid_request_error", null, "A glossary and context cannot be combined");
        assertError(client.postJson("/v1/translate", Map.of("text", "x", "target", "de", "formatted", true)), 400,
                "invalid_request_error", null, "only translates into Chinese");
        assertError(client.postJson("/v1/translate", Map.of("text", "x", "target", "de", "glossary", List.of(List.of("a")))), 400,
                "invalid_request_error", "glossary[0]", "a [source, target] pair");
        assertError(client.postJson("/v1/translate", Map.of("text", List.of("x", " "), "target", "de")), 400,
                "invalid_request_error", "text", "'text'[1] is empty");
        assertError(client.postJson("/v1/translate", Map.of("text", "x", "target", "de", "adapter", "legal")), 404,
                "not_found_error", null, "no adapter named 'legal'");
    }

    @Test
    void tokenizeAndDetokenizeRoundTrip() {
        JsonNode tokens = client.postJson("/tokenize", Map.of("content", "Hello world")).json().get("tokens");
        assertTrue(tokens.size() > 0);
        assertEquals("Hello world", client.postJson("/detokenize", Map.of("tokens", tokens)).json().get("content").asText());
        JsonNode pieces = client.postJson("/tokenize", Map.of("content", "Hello world", "with_pieces", true)).json().get("tokens");
        StringBuilder joined = new StringBuilder();
        pieces.forEach(p -> joined.append(p.get("piece").asText()));
        assertEquals("Hello world", joined.toString());
        assertError(client.postJson("/detokenize", Map.of("tokens", List.of(1, 99999999))), 400, "invalid_request_error", "tokens",
                "tokens[1]: expected a token id");
        assertError(client.postJson("/tokenize", Map.of()), 400, "invalid_request_error", "content", "missing field 'content'");
    }
}
