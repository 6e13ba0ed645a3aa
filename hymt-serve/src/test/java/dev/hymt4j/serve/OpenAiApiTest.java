package dev.hymt4j.serve;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** /v1/chat/completions and /v1/completions over real HTTP on the demo model. */
class OpenAiApiTest {
    static TestServers.Client client;

    @BeforeAll
    static void start() {
        client = new TestServers.Client(TestServers.shared());
    }

    @Test
    void chatCompletionHasOpenAiShapeAndUsage() {
        String content = "Translate the following segment into Chinese, without additional explanation.\n\nIt's on the house.";
        TestServers.Reply r = client.postJson("/v1/chat/completions", Map.of("model", TestServers.options().modelName(),
                "messages", List.of(Map.of("role", "user", "content", content)), "max_tokens", 6, "ignore_eos", true));
        assertEquals(200, r.status(), r.body());
        JsonNode j = r.json();
        assertTrue(j.get("id").asText().startsWith("chatcmpl-"));
        assertEquals("chat.completion", j.get("object").asText());
        assertEquals(TestServers.options().modelName(), j.get("model").asText());
        assertTrue(j.get("created").isIntegralNumber());
        JsonNode choice = j.get("choices").get(0);
        assertEquals(0, choice.get("index").asInt());
        assertEquals("assistant", choice.get("message").get("role").asText());
        assertTrue(choice.get("message").get("content").isTextual());
        assertEquals("length", choice.get("finish_reason").asText());
        // Spec §5.2: [BOS, USER, …content…, ENDING].
        int prompt = 3 + client.tokenCount(content);
        assertEquals(prompt, j.get("usage").get("prompt_tokens").asInt());
        assertEquals(6, j.get("usage").get("completion_tokens").asInt());
        assertEquals(prompt + 6, j.get("usage").get("total_tokens").asInt());
    }

    @Test
    void streamedChunksAddUpToTheNonStreamedAnswer() {
        Map<String, Object> request = Map.of("messages", List.of(Map.of("role", "system", "content", "Be brief."),
                Map.of("role", "user", "content", "Hello there")), "max_tokens", 8, "ignore_eos", true, "seed", 7,
                "repetition_penalty", 2.0); // a penalty strong enough that the random demo model writes visible text
        String whole = client.postJson("/v1/chat/completions", request).json().get("choices").get(0).get("message").get("content").asText();

        Map<String, Object> streaming = new java.util.HashMap<>(request);
        streaming.put("stream", true);
        streaming.put("stream_options", Map.of("include_usage", true));
        TestServers.Reply r = client.postJson("/v1/chat/completions", streaming);
        assertEquals(200, r.status());
        assertTrue(r.header("Content-Type").startsWith("text/event-stream"), r.header("Content-Type"));
        List<String> events = r.events();
        assertEquals("[DONE]", events.getLast());
        StringBuilder text = new StringBuilder();
        JsonNode first = TestServers.json(events.getFirst());
        assertEquals("chat.completion.chunk", first.get("object").asText());
        assertEquals("assistant", first.get("choices").get(0).get("delta").get("role").asText());
        String finish = null;
        JsonNode usage = null;
        for (String e : events.subList(0, events.size() - 1)) {
            JsonNode chunk = TestServers.json(e);
            assertEquals("chat.completion.chunk", chunk.get("object").asText());
            assertEquals(first.get("id").asText(), chunk.get("id").asText());
            if (chunk.get("choices").isEmpty()) {
                usage = chunk.get("usage");
                continue;
            }
            JsonNode c = chunk.get("choices").get(0);
            if (c.get("delta").has("content")) text.append(c.get("delta").get("content").asText());
            if (!c.get("finish_reason").isNull()) finish = c.get("finish_reason").asText();
        }
        assertFalse(whole.isBlank());
        assertEquals(whole, text.toString());
        assertEquals("length", finish);
        assertEquals(8, usage.get("completion_tokens").asInt());
    }

    @Test
    void nChoicesAndStopStrings() {
        JsonNode two = client.postJson("/v1/chat/completions", Map.of("messages", List.of(Map.of("role", "user", "content", "Hi")),
                "max_tokens", 5, "ignore_eos", true, "n", 2, "temperature", 1.0)).json();
        assertEquals(2, two.get("choices").size());
        assertEquals(1, two.get("choices").get(1).get("index").asInt());
        assertEquals(10, two.get("usage").get("completion_tokens").asInt());

        Map<String, Object> greedy = Map.of("prompt", "Select a magnification", "max_tokens", 12, "ignore_eos", true, "temperature", 0);
        String text = client.postJson("/v1/completions", greedy).json().get("choices").get(0).get("text").asText();
        String stop = text.substring(text.length() / 2, text.length() / 2 + 2);
        Map<String, Object> stopped = new java.util.HashMap<>(greedy);
        stopped.put("stop", stop);
        JsonNode j = client.postJson("/v1/completions", stopped).json();
        JsonNode choice = j.get("choices").get(0);
        assertEquals(text.substring(0, text.indexOf(stop)), choice.get("text").asText());
        assertEquals("stop", choice.get("finish_reason").asText());
        assertEquals("text_completion", j.get("object").asText());
    }

    @Test
    void completionTakesTokenIdsAndSeveralPrompts() {
        int[] ids = toInts(client.postJson("/tokenize", Map.of("content", "Use this bar")).json().get("tokens"));
        JsonNode byIds = client.postJson("/v1/completions", Map.of("prompt", ids, "max_tokens", 3, "ignore_eos", true)).json();
        assertEquals(ids.length, byIds.get("usage").get("prompt_tokens").asInt());
        JsonNode two = client.postJson("/v1/completions", Map.of("prompt", List.of("Use this bar", "Open"), "max_tokens", 2,
                "ignore_eos", true)).json();
        assertEquals(2, two.get("choices").size());
        assertEquals(ids.length + client.tokenCount("Open"), two.get("usage").get("prompt_tokens").asInt());
    }

    private static int[] toInts(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = array.get(i).asInt();
        return out;
    }

    @Test
    void errorsHaveOpenAiShapeStatusAndParam() {
        assertError(client.postJson("/v1/chat/completions", Map.of("max_tokens", 3)), 400, "invalid_request_error", "messages", "missing field 'messages'");
        assertError(client.postJson("/v1/chat/completions", Map.of("messages", List.of(Map.of("role", "tool", "content", "x")))),
                400, "invalid_request_error", "messages[0].role", "'tool' is not supported");
        assertError(client.postJson("/v1/chat/completions", Map.of("messages", "hi")), 400, "invalid_request_error", "messages",
                "expected a non-empty array of messages, got a string");
        assertError(client.postJson("/v1/chat/completions", Map.of("messages", List.of(Map.of("role", "user", "content", "x")),
                "max_tokens", 100000)), 400, "invalid_request_error", "max_tokens", "limit of 2048 tokens (--max-tokens-cap)");
        assertError(client.postJson("/v1/chat/completions", Map.of("messages", List.of(Map.of("role", "user", "content", "x")),
                "temperature", 3)), 400, "invalid_request_error", "temperature", "between 0 and 2");
        assertError(client.postJson("/v1/chat/completions", Map.of("messages", List.of(Map.of("role", "user", "content", "x")),
                "max_tokens", "ten")), 400, "invalid_request_error", "max_tokens", "expected an integer, got a string \"ten\"");
        assertError(client.postJson("/v1/chat/completions", Map.of("model", "gpt-4o", "messages", List.of(Map.of("role", "user", "content", "x")))),
                404, "not_found_error", null, "the model 'gpt-4o' does not exist");
        assertError(client.postJson("/v1/chat/completions", Map.of("messages", List.of(Map.of("role", "user", "content", "x")),
                "logprobs", true)), 400, "invalid_request_error", "logprobs", "not supported");
        assertError(client.postJson("/v1/completions", "{\"prompt\": \"x\",}"), 400, "invalid_request_error", null, "not valid JSON");
        assertError(client.postJson("/v1/completions", "[1, 2]"), 400, "invalid_request_error", null, "must be a JSON object");
        assertError(client.postJson("/v1/completions", Map.of("prompt", List.of(1, -5))), 400, "invalid_request_error", "prompt",
                "prompt[1]: expected a token id");
        assertError(client.postJson("/v1/completions", Map.of("prompt", "x", "n", 9)), 400, "invalid_request_error", "n", "between 1 and 8");
        assertError(client.postJson("/v1/completions", Map.of("prompt", "x", "stop", List.of("a", "b", "c", "d", "e"))),
                400, "invalid_request_error", "stop", "at most 4");
        TestServers.Reply get = client.get("/v1/chat/completions");
        assertError(get, 405, "invalid_request_error", null, "accepts POST, not GET");
        assertEquals("POST", get.header("Allow"));
        assertError(client.get("/v1/nothing"), 404, "not_found_error", null, "no such endpoint: GET /v1/nothing");
    }

    static void assertError(TestServers.Reply r, int status, String type, String param, String messagePart) {
        assertEquals(status, r.status(), r.body());
        JsonNode error = r.json().get("error");
        assertEquals(type, error.get("type").asText(), r.body());
        assertTrue(error.get("message").asText().contains(messagePart), r.body());
        assertTrue(error.has("code"), r.body());
        if (param == null) assertTrue(error.get("param").isNull(), r.body());
        else assertEquals(param, error.get("param").asText(), r.body());
        assertFalse(r.body().contains("Exception"), r.body());
    }
}
