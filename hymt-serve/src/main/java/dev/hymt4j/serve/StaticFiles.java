package dev.hymt4j.serve;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;

/**
 * The web page, served from the jar: a few files read once at start-up, nothing from a CDN, so it works
 * offline. The Content-Security-Policy allows only this server's own scripts, styles and API.
 */
final class StaticFiles {
    private static final String DIR = "/dev/hymt4j/serve/web/";
    private static final Map<String, String> FILES = Map.of(
            "/", "index.html", "/index.html", "index.html", "/app.js", "app.js", "/style.css", "style.css",
            "/favicon.svg", "favicon.svg");
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8", "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8", "svg", "image/svg+xml");

    private final Map<String, Buffer> content;

    private StaticFiles(Map<String, Buffer> content) {
        this.content = content;
    }

    static StaticFiles load() {
        Map<String, Buffer> content = new HashMap<>();
        for (Map.Entry<String, String> e : FILES.entrySet()) {
            try (InputStream in = StaticFiles.class.getResourceAsStream(DIR + e.getValue())) {
                if (in == null) throw new IllegalStateException("web page file " + e.getValue() + " missing from the jar");
                content.put(e.getKey(), Buffer.buffer(in.readAllBytes()));
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        }
        return new StaticFiles(Map.copyOf(content));
    }

    boolean has(String path) {
        return content.containsKey(path);
    }

    void serve(String path, HttpServerResponse res) {
        String file = FILES.get(path);
        res.setStatusCode(200)
                .putHeader("Content-Type", TYPES.get(file.substring(file.lastIndexOf('.') + 1)))
                .putHeader("Cache-Control", "no-cache")
                .putHeader("X-Content-Type-Options", "nosniff")
                .putHeader("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'")
                .end(content.get(path));
    }
}
