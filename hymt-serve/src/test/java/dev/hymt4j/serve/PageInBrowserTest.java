package dev.hymt4j.serve;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The web page in a real browser: Playwright ({@code playwright-core} from npm) with Debian's chromium picks a
 * language, types, fills the glossary, translates and sees the output stream; screenshots (desktop and phone width)
 * go to {@code hymt-serve/target/screenshots/}. About 10 s.
 */
class PageInBrowserTest {
    @Test
    void translateFromThePage() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/chromium")), "Debian's chromium is not installed (apt-get install chromium)");
        Path shots = NodeScript.root().resolve("hymt-serve/target/screenshots");
        Files.createDirectories(shots);
        TranslationServer server = TestServers.shared();
        JsonNode r = NodeScript.run("page.mjs", List.of("playwright-core"), List.of(server.url(), shots.toString()));
        assertEquals(38, r.get("targetOptions").asInt(), r.toString());
        assertEquals(39, r.get("sourceOptions").asInt(), "38 languages and Detect language");
        assertEquals("Detect language", r.get("firstSource").asText());
        JsonNode sent = r.get("sent");
        assertEquals("de", sent.get("target").asText());
        assertEquals(true, sent.get("stream").asBoolean());
        assertEquals("[[\"file\",\"Datei\"]]", sent.get("glossary").toString());
        assertFalse(sent.has("source"), "auto-detect sends no source");
        assertTrue(r.get("sawStreaming").asBoolean(), r.toString());
        assertTrue(r.get("changes").asInt() >= 3, "the output changed as tokens came: " + r);
        assertFalse(r.get("output").asText().isEmpty(), r.toString());
        assertTrue(r.get("stats").asText().matches(".*s · first token \\d+ ms · .*24 tokens"), r.get("stats").asText());
        assertEquals("Detected: English", r.get("detected").asText());
        assertTrue(r.get("copyEnabled").asBoolean());
        assertEquals(2, r.get("keyboardRequests").asInt(), "Ctrl+Enter translated again");
        assertTrue(r.get("phoneOverflow").asInt() <= 0, "no horizontal scrolling at phone width: " + r.get("phoneOverflow"));
        assertEquals(0, r.get("offsite").size(), "the page loads nothing from elsewhere: " + r.get("offsite"));
        assertTrue(Files.size(shots.resolve("page-desktop.png")) > 10_000);
        assertTrue(Files.size(shots.resolve("page-phone.png")) > 5_000);
    }
}
