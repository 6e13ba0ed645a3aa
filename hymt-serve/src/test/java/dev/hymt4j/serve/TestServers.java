package dev.hymt4j.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hymt4j.demo.DemoSetup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The demo model (written once per test JVM: {@code hymt init-demo}'s random model and trained tokenizer) and
 * servers over it on 127.0.0.1 with a free port, plus a small HTTP client for the tests.
 */
final class TestServers {
    static final ObjectMapper JSON = new ObjectMapper();
    private static Path demo;
    private static TranslationServer shared;

    private TestServers() {}

    /** The demo model directory (created on first use, deleted when the JVM exits). */
    static synchronized Path demoModel() {
        if (demo == null) {
            try {
                Path dir = Files.createTempDirectory("hymt-serve-demo");
                DemoSetup.create(dir, 1);
                Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
                demo = dir;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return demo;
    }

    /** A server with default options on the demo model, shared by the tests that do not change options. */
    static synchronized TranslationServer shared() {
        if (shared == null) shared = start(options());
        return shared;
    }

    static ServerOptions options() {
        return ServerOptions.defaults(demoModel()).withPort(0);
    }

    /** Starts a server and waits until its model is loaded. */
    static TranslationServer start(ServerOptions options) {
        TranslationServer server = TranslationServer.start(options);
        server.ready().orTimeout(120, TimeUnit.SECONDS).join();
        return server;
    }

    static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort
        }
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    /** A response: status, headers and body. */
    record Reply(int status, Map<String, List<String>> headers, String body) {
        JsonNode json() {
            return TestServers.json(body);
        }

        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().getFirst()).findFirst().orElse(null);
        }

        /** The data payloads of a server-sent-event stream, checking its framing on the way. */
        List<String> events() {
            List<String> data = new ArrayList<>();
            String[] lines = body.split("\n", -1);
            for (int i = 0; i < lines.length - 1; i += 2) {
                if (!lines[i].startsWith("data: ")) throw new AssertionError("line " + i + " is not 'data: …': " + lines[i]);
                if (!lines[i + 1].isEmpty()) throw new AssertionError("event " + lines[i] + " is not followed by a blank line");
                data.add(lines[i].substring(6));
            }
            if (!lines[lines.length - 1].isEmpty()) throw new AssertionError("stream does not end with a newline");
            return data;
        }
    }

    /** A small blocking client for one server. */
    static final class Client {
        final String base;
        private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();

        Client(TranslationServer server) {
            this.base = server.url();
        }

        /** Tokens of {@code text} encoded as plain text (as prompts encode their content), from /tokenize. */
        int tokenCount(String text) {
            return postJson("/tokenize", Map.of("content", text, "parse_special", false)).json().get("tokens").size();
        }

        Reply get(String path, String... headers) {
            return send(HttpRequest.newBuilder(URI.create(base + path)).GET(), headers);
        }

        Reply postJson(String path, Object body, String... headers) {
            String text = body instanceof String s ? s : write(body);
            List<String> h = new ArrayList<>(List.of("Content-Type", "application/json"));
            h.addAll(List.of(headers));
            return send(HttpRequest.newBuilder(URI.create(base + path)).POST(HttpRequest.BodyPublishers.ofString(text)),
                    h.toArray(String[]::new));
        }

        Reply post(String path, String contentType, byte[] body, String... headers) {
            List<String> h = new ArrayList<>(List.of("Content-Type", contentType));
            h.addAll(List.of(headers));
            return send(HttpRequest.newBuilder(URI.create(base + path)).POST(HttpRequest.BodyPublishers.ofByteArray(body)),
                    h.toArray(String[]::new));
        }

        Reply request(String method, String path, String... headers) {
            return send(HttpRequest.newBuilder(URI.create(base + path)).method(method, HttpRequest.BodyPublishers.noBody()), headers);
        }

        private Reply send(HttpRequest.Builder b, String... headers) {
            for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
            try {
                HttpResponse<String> r = http.send(b.timeout(Duration.ofSeconds(120)).build(),
                        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                return new Reply(r.statusCode(), r.headers().map(), r.body());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    static String write(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads a metric's value from /metrics text ({@code name} with its labels, e.g. {@code a{b="c"}}). */
    static double metric(String text, String name) {
        for (String line : text.split("\n")) {
            if (line.startsWith(name + " ")) return Double.parseDouble(line.substring(name.length() + 1));
        }
        return Double.NaN;
    }
}
