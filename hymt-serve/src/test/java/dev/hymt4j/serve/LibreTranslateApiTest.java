package dev.hymt4j.serve;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * LibreTranslate's endpoints, called the way its clients call them: an urlencoded form (plugins, curl), a
 * multipart form (LibreTranslate's own web UI posts FormData), JSON (libretranslate-py, the JS client), and
 * parameters in the query string (scripts using {@code requests.post(url, params=…)}).
 */
class LibreTranslateApiTest {
    static TestServers.Client client;

    @BeforeAll
    static void start() {
        client = new TestServers.Client(TestServers.shared());
    }

    static byte[] form(Map<String, String> fields) {
        StringBuilder sb = new StringBuilder();
        fields.forEach((k, v) -> sb.append(sb.isEmpty() ? "" : "&").append(URLEncoder.encode(k, StandardCharsets.UTF_8))
                .append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    static byte[] multipart(String boundary, Map<String, String> fields) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        fields.forEach((k, v) -> out.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + k
                + "\"\r\n\r\n" + v + "\r\n").getBytes(StandardCharsets.UTF_8)));
        out.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    @Test
    void translateAsFormMultipartJsonAndQuery() {
        Map<String, String> fields = Map.of("q", "Select a magnification for the print preview.", "source", "auto", "target", "zh",
                "max_tokens", "3");
        JsonNode fromForm = client.post("/translate", "application/x-www-form-urlencoded", form(fields)).json();
        assertTrue(fromForm.get("translatedText").isTextual(), fromForm.toString());
        assertEquals("en", fromForm.get("detectedLanguage").get("language").asText());
        double confidence = fromForm.get("detectedLanguage").get("confidence").asDouble();
        assertTrue(confidence > 0 && confidence <= 100, fromForm.toString());

        JsonNode fromMultipart = client.post("/translate", "multipart/form-data; boundary=XyZ", multipart("XyZ", fields)).json();
        assertEquals(fromForm, fromMultipart);
        JsonNode fromJson = client.postJson("/translate", Map.of("q", fields.get("q"), "source", "auto", "target", "zh", "max_tokens", 3)).json();
        assertEquals(fromForm, fromJson);
        JsonNode fromQuery = client.post("/translate?" + new String(form(fields), StandardCharsets.UTF_8), "text/plain", new byte[0]).json();
        assertEquals(fromForm, fromQuery);
    }

    @Test
    void batchesAlternativesAndGivenSource() {
        JsonNode batch = client.postJson("/translate", Map.of("q", List.of("Hello", "Bonjour tout le monde, comment allez-vous ?"),
                "source", "auto", "target", "de", "alternatives", 2, "max_tokens", 4)).json();
        assertEquals(2, batch.get("translatedText").size());
        assertEquals(2, batch.get("detectedLanguage").size());
        assertEquals("fr", batch.get("detectedLanguage").get(1).get("language").asText());
        assertEquals(2, batch.get("alternatives").size());
        assertTrue(batch.get("alternatives").get(0).size() <= 2);
        JsonNode given = client.postJson("/translate", Map.of("q", "Hello", "source", "en", "target", "de", "max_tokens", 2)).json();
        assertTrue(given.get("translatedText").isTextual());
        assertTrue(!given.has("detectedLanguage") && !given.has("alternatives"), given.toString());
    }

    @Test
    void htmlKeepsTheMarkup() {
        String html = "<p class=\"x\">Hello <b>world</b> &amp; friends</p><script>var a = 1;</script>";
        JsonNode r = client.postJson("/translate", Map.of("q", html, "source", "en", "target", "fr", "format", "html",
                "max_tokens", 3, "ignore_eos", true)).json();
        String out = r.get("translatedText").asText();
        assertTrue(out.startsWith("<p class=\"x\">"), out);
        assertTrue(out.contains("<b>") && out.contains("</b>"), out);
        assertTrue(out.endsWith("</p><script>var a = 1;</script>"), out);
    }

    @Test
    void languagesDetectAndSettings() {
        JsonNode languages = client.get("/languages").json();
        assertEquals(38, languages.size());
        assertEquals("zh", languages.get(0).get("code").asText());
        assertEquals("Chinese", languages.get(0).get("name").asText());
        assertEquals(38, languages.get(0).get("targets").size());
        JsonNode detect = client.post("/detect", "application/x-www-form-urlencoded",
                form(Map.of("q", "Bonjour tout le monde, comment allez-vous aujourd'hui ?"))).json();
        assertEquals("fr", detect.get(0).get("language").asText());
        JsonNode nothing = client.postJson("/detect", Map.of("q", "12345")).json();
        assertEquals(0.0, nothing.get(0).get("confidence").asDouble());
        JsonNode settings = client.get("/frontend/settings").json();
        assertEquals(ServerOptions.DEFAULT_MAX_INPUT_CHARS, settings.get("charLimit").asInt());
        assertEquals(false, settings.get("keyRequired").asBoolean());
    }

    @Test
    void errorsAreLibreTranslateShaped() {
        TestServers.Reply noQ = client.postJson("/translate", Map.of("target", "de"));
        assertEquals(400, noQ.status());
        assertEquals("{\"error\":\"Invalid request: missing q parameter\"}", noQ.body());
        TestServers.Reply noTarget = client.post("/translate", "application/x-www-form-urlencoded", form(Map.of("q", "x")));
        assertEquals("{\"error\":\"Invalid request: missing target parameter\"}", noTarget.body());
        TestServers.Reply badTarget = client.postJson("/translate", Map.of("q", "x", "target", "xx"));
        assertEquals(400, badTarget.status());
        assertEquals("{\"error\":\"Target language xx is not supported\"}", badTarget.body());
        TestServers.Reply badFormat = client.postJson("/translate", Map.of("q", "x", "target", "de", "format", "pdf"));
        assertEquals("{\"error\":\"Invalid request: format must be text or html, got pdf\"}", badFormat.body());
        assertEquals(400, client.postJson("/detect", Map.of()).status());
    }
}
