package dev.hymt4j.serve;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.hymt4j.serve.OpenAiApiTest.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** API keys, CORS, input and max_tokens limits, the body limit and keep-alive, on a server configured for them. */
class AccessAndLimitsTest {
    static final String KEY = "sk-test-123";
    static final String ORIGIN = "https://app.example.com";
    static TranslationServer server;
    static TestServers.Client client;

    @BeforeAll
    static void start() {
        server = TestServers.start(TestServers.options().withApiKeys(Set.of(KEY)).withCorsOrigins(List.of(ORIGIN))
                .withLimits(new Limits(50, 16)));
        client = new TestServers.Client(server);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static final Map<String, Object> CHAT = Map.of("messages", List.of(Map.of("role", "user", "content", "Hi")), "max_tokens", 2);

    @Test
    void apiKeys() {
        assertError(client.postJson("/v1/chat/completions", CHAT), 401, "authentication_error", null, "missing API key");
        assertError(client.postJson("/v1/chat/completions", CHAT, "Authorization", "Bearer wrong"), 401, "authentication_error", null,
                "invalid API key");
        assertEquals(200, client.postJson("/v1/chat/completions", CHAT, "Authorization", "Bearer " + KEY).status());
        // Public: health, models, the page, the language list.
        assertEquals(200, client.get("/health").status());
        assertEquals(200, client.get("/v1/models").status());
        assertEquals(200, client.get("/").status());
        assertEquals(200, client.get("/languages").status());
        assertEquals(401, client.get("/metrics").status());
        assertEquals(200, client.get("/metrics", "Authorization", "Bearer " + KEY).status());
        // LibreTranslate clients send api_key as a field.
        byte[] form = LibreTranslateApiTest.form(Map.of("q", "Hi", "target", "de", "api_key", KEY, "max_tokens", "2"));
        assertEquals(200, client.post("/translate", "application/x-www-form-urlencoded", form).status());
        TestServers.Reply wrong = client.postJson("/translate", Map.of("q", "Hi", "target", "de", "api_key", "nope"));
        assertEquals(401, wrong.status());
        assertEquals("{\"error\":\"invalid API key\"}", wrong.body());
        assertTrue(client.get("/frontend/settings").json().get("keyRequired").asBoolean());
    }

    @Test
    void corsOnlyForTheConfiguredOrigin() {
        TestServers.Reply allowed = client.get("/health", "Origin", ORIGIN);
        assertEquals(ORIGIN, allowed.header("Access-Control-Allow-Origin"));
        assertEquals("Origin", allowed.header("Vary"));
        assertNull(client.get("/health", "Origin", "https://evil.example").header("Access-Control-Allow-Origin"));
        assertNull(client.get("/health").header("Access-Control-Allow-Origin"));

        TestServers.Reply preflight = client.request("OPTIONS", "/v1/chat/completions", "Origin", ORIGIN,
                "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "authorization, content-type");
        assertEquals(204, preflight.status());
        assertEquals(ORIGIN, preflight.header("Access-Control-Allow-Origin"));
        assertTrue(preflight.header("Access-Control-Allow-Methods").contains("POST"));
        assertTrue(preflight.header("Access-Control-Allow-Headers").contains("Authorization"));
        TestServers.Reply refused = client.request("OPTIONS", "/v1/chat/completions", "Origin", "https://evil.example",
                "Access-Control-Request-Method", "POST");
        assertEquals(403, refused.status());
        assertNull(refused.header("Access-Control-Allow-Origin"));
        // An error response to an allowed origin still carries the header, so the page can read the error.
        assertEquals(ORIGIN, client.postJson("/v1/chat/completions", CHAT, "Origin", ORIGIN).header("Access-Control-Allow-Origin"));
    }

    @Test
    void limitsAreA400NamingTheLimit() {
        String auth = "Bearer " + KEY;
        assertError(client.postJson("/v1/chat/completions", Map.of("messages", List.of(Map.of("role", "user", "content", "x".repeat(51)))),
                "Authorization", auth), 400, "invalid_request_error", null, "51 characters, over this server's limit of 50 characters (--max-input-chars)");
        assertError(client.postJson("/v1/translate", Map.of("text", List.of("x".repeat(30), "y".repeat(30)), "target", "de"),
                "Authorization", auth), 400, "invalid_request_error", null, "(--max-input-chars)");
        assertError(client.postJson("/v1/completions", Map.of("prompt", "x", "max_tokens", 17), "Authorization", auth), 400,
                "invalid_request_error", "max_tokens", "max_tokens 17 is over this server's limit of 16 tokens (--max-tokens-cap)");
        TestServers.Reply lt = client.postJson("/translate", Map.of("q", "x".repeat(51), "target", "de", "api_key", KEY));
        assertEquals(400, lt.status());
        assertTrue(lt.json().get("error").asText().contains("--max-input-chars"), lt.body());
        // Bodies past the limit are refused before they are read whole.
        String huge = "{\"prompt\": \"" + "x".repeat((int) new Limits(50, 16).maxBodyBytes()) + "\"}";
        TestServers.Reply tooBig = client.postJson("/v1/completions", huge, "Authorization", auth);
        assertEquals(413, tooBig.status());
        assertTrue(tooBig.json().get("error").get("message").asText().contains("over this server's limit"));
    }

    @Test
    void keepAliveServesSeveralRequestsOnOneConnection() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            for (int i = 0; i < 3; i++) {
                out.write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                String response = readResponse(in);
                assertTrue(response.startsWith("HTTP/1.1 200 OK\r\n"), response);
                assertTrue(response.endsWith("{\"status\":\"ok\"}"), response);
            }
        }
    }

    /** Reads one response with a content-length body. */
    static String readResponse(InputStream in) throws Exception {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) throw new AssertionError("connection closed after: " + head);
            head.append((char) b);
        }
        int length = 0;
        for (String line : head.toString().split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) length = Integer.parseInt(line.substring(15).trim());
        }
        byte[] body = in.readNBytes(length);
        return head + new String(body, StandardCharsets.UTF_8);
    }
}
