package dev.hymt4j.serve;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * /health is 503 while the model loads and 200 after; a model that fails to load keeps answering 503 with the
 * reason. The test holds the load back until it has seen the 503s.
 */
class LoadingTest {
    @TempDir
    Path dir;

    @Test
    void healthIs503WhileLoadingThen200() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        ServerOptions options = TestServers.options();
        TranslationServer server = TranslationServer.start(options, o -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new java.io.InterruptedIOException();
            }
            return Inference.load(o.modelDir(), o.adapters(), o.engine());
        });
        try {
            TestServers.Client client = new TestServers.Client(server);
            TestServers.Reply loading = client.get("/health");
            assertEquals(503, loading.status());
            JsonNode error = loading.json().get("error");
            assertEquals("Loading model", error.get("message").asText());
            assertEquals("unavailable_error", error.get("type").asText());
            assertEquals("1", loading.header("Retry-After"));
            TestServers.Reply chat = client.postJson("/v1/chat/completions", Map.of("messages", List.of(Map.of("role", "user", "content", "x"))));
            assertEquals(503, chat.status());
            assertEquals("Loading model", chat.json().get("error").get("message").asText());
            assertEquals(200, client.get("/").status(), "the page is served while loading");
            assertEquals(200, client.get("/v1/models").status());

            release.countDown();
            server.ready().get(60, TimeUnit.SECONDS);
            assertEquals(200, client.get("/health").status());
            assertEquals(200, client.postJson("/v1/completions", Map.of("prompt", "x", "max_tokens", 1)).status());
        } finally {
            server.close();
        }
    }

    @Test
    void aModelThatFailsToLoadSaysWhy() throws Exception {
        TranslationServer server = TranslationServer.start(ServerOptions.defaults(dir.resolve("missing")).withPort(0));
        try {
            assertTrue(server.ready().handle((ok, e) -> e != null).get(60, TimeUnit.SECONDS));
            TestServers.Reply health = new TestServers.Client(server).get("/health");
            assertEquals(503, health.status());
            assertTrue(health.json().get("error").get("message").asText().startsWith("the model failed to load: "), health.body());
        } finally {
            server.close();
        }
    }
}
