package dev.hymt4j.serve;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The official {@code openai} npm client (pinned in package.json) streams a chat completion from the server (~5 s). */
class OpenAiClientTest {
    @Test
    void theOfficialClientStreamsAChatCompletion() throws Exception {
        String key = "sk-hymt-test";
        TranslationServer server = TestServers.start(TestServers.options().withApiKeys(Set.of(key)));
        try {
            String model = TestServers.options().modelName();
            JsonNode r = NodeScript.run("openai-client.mjs", List.of("openai"), List.of(server.url(), key, model));
            assertEquals(r.get("whole").asText(), r.get("streamed").asText(), r.toString());
            assertFalse(r.get("streamed").asText().isBlank(), r.toString());
            assertTrue(r.get("chunks").asInt() >= 3, r.toString());
            assertEquals("assistant", r.get("role").asText());
            assertEquals("length", r.get("finish").asText());
            assertEquals(10, r.get("usage").get("completion_tokens").asInt());
            assertEquals(model, r.get("models").get(0).asText());
            assertEquals(404, r.get("error").get("status").asInt(), r.toString());
            assertTrue(r.get("error").get("message").asText().contains("does not exist"), r.toString());
        } finally {
            server.close();
        }
    }
}
