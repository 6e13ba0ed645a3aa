package dev.hymt4j.hub;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/**
 * A hub on 127.0.0.1 serving one repository the way huggingface.co does: the revision API, {@code resolve}
 * answering regular files directly (ETag = a git-style id) and LFS files with a redirect to a "CDN" path
 * (X-Linked-Etag = sha256, X-Linked-Size, X-Repo-Commit on the redirect), and Range requests on the CDN.
 */
final class FakeHub implements AutoCloseable {
    static final String REPO = "tencent/tiny-mt";
    static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";

    /** One request as the server saw it. */
    record Request(String method, String path, String range, String authorization) {}

    private final HttpServer server;
    private final Map<String, byte[]> regularFiles = new LinkedHashMap<>();
    private final Map<String, byte[]> lfsFiles = new LinkedHashMap<>();
    final List<Request> requests = new CopyOnWriteArrayList<>();
    volatile String requiredToken;
    volatile boolean corruptLfs;

    FakeHub() throws IOException {
        regularFiles.put("config.json", "{\"model_type\": \"hunyuan_v1_dense\"}".getBytes(StandardCharsets.UTF_8));
        regularFiles.put("tokenizer.json", "{\"model\": {}}".getBytes(StandardCharsets.UTF_8));
        regularFiles.put("README.md", "# not needed".getBytes(StandardCharsets.UTF_8));
        byte[] weights = new byte[200_000];
        for (int i = 0; i < weights.length; i++) weights[i] = (byte) (i * 31 + (i >> 8));
        lfsFiles.put("model.safetensors", weights);
        lfsFiles.put("onnx/model.onnx", new byte[] {1, 2, 3});

        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    byte[] content(String file) {
        return lfsFiles.containsKey(file) ? lfsFiles.get(file) : regularFiles.get(file);
    }

    static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

    List<Request> requestsTo(String pathPrefix) {
        return requests.stream().filter(r -> r.path().startsWith(pathPrefix)).toList();
    }

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        requests.add(new Request(ex.getRequestMethod(), path, ex.getRequestHeaders().getFirst("Range"), auth));
        try (ex) {
            if (path.startsWith("/cdn/")) {
                serveCdn(ex, path.substring("/cdn/".length()));
                return;
            }
            if (requiredToken != null && !("Bearer " + requiredToken).equals(auth)) {
                ex.getResponseHeaders().set("X-Error-Code", "RepoNotFound");
                send(ex, 401, new byte[0]);
                return;
            }
            String api = "/api/models/" + REPO + "/revision/";
            String resolve = "/" + REPO + "/resolve/";
            if (path.startsWith(api)) {
                serveRepoInfo(ex, path.substring(api.length()));
            } else if (path.startsWith(resolve)) {
                String rest = path.substring(resolve.length());
                serveResolve(ex, rest.substring(rest.indexOf('/') + 1));
            } else {
                send(ex, 404, new byte[0]);
            }
        } catch (Exception e) {
            throw new IOException(e);
        }
    }

    private void serveRepoInfo(HttpExchange ex, String revision) throws IOException {
        if (!revision.equals("main") && !revision.equals(COMMIT)) {
            ex.getResponseHeaders().set("X-Error-Message", "Invalid rev id: " + revision);
            send(ex, 404, new byte[0]);
            return;
        }
        String siblings = java.util.stream.Stream.concat(regularFiles.keySet().stream(), lfsFiles.keySet().stream())
                .map(f -> "{\"rfilename\": \"" + f + "\"}")
                .collect(Collectors.joining(", "));
        String json = "{\"id\": \"" + REPO + "\", \"sha\": \"" + COMMIT + "\", \"siblings\": [" + siblings + "]}";
        send(ex, 200, json.getBytes(StandardCharsets.UTF_8));
    }

    private void serveResolve(HttpExchange ex, String file) throws Exception {
        ex.getResponseHeaders().set("X-Repo-Commit", COMMIT);
        if (lfsFiles.containsKey(file)) {
            byte[] data = lfsFiles.get(file);
            String sha = sha256(data);
            ex.getResponseHeaders().set("X-Linked-Etag", "\"" + sha + "\"");
            ex.getResponseHeaders().set("X-Linked-Size", Long.toString(data.length));
            ex.getResponseHeaders().set("ETag", "\"not-the-blob-name\"");
            ex.getResponseHeaders().set("Location", endpoint() + "/cdn/" + sha);
            send(ex, 302, new byte[0]);
        } else if (regularFiles.containsKey(file)) {
            byte[] data = regularFiles.get(file);
            ex.getResponseHeaders().set("ETag", "\"" + gitStyleId(file) + "\"");
            send(ex, 200, data);
        } else {
            ex.getResponseHeaders().set("X-Error-Code", "EntryNotFound");
            send(ex, 404, new byte[0]);
        }
    }

    private void serveCdn(HttpExchange ex, String sha) throws Exception {
        byte[] data = null;
        for (byte[] candidate : lfsFiles.values()) if (sha256(candidate).equals(sha)) data = candidate;
        if (data == null) {
            send(ex, 404, new byte[0]);
            return;
        }
        if (corruptLfs) {
            data = data.clone();
            data[data.length / 2] ^= 1;
        }
        String range = ex.getRequestHeaders().getFirst("Range");
        if (range != null && range.startsWith("bytes=") && range.endsWith("-")) {
            int from = Integer.parseInt(range.substring("bytes=".length(), range.length() - 1));
            ex.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + (data.length - 1) + "/" + data.length);
            send(ex, 206, java.util.Arrays.copyOfRange(data, from, data.length));
        } else {
            send(ex, 200, data);
        }
    }

    private static String gitStyleId(String file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(file.getBytes(StandardCharsets.UTF_8)));
    }

    private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
        boolean head = ex.getRequestMethod().equals("HEAD");
        if (head || body.length == 0) {
            if (head && status == 200) ex.getResponseHeaders().set("Content-Length", Integer.toString(body.length));
            ex.sendResponseHeaders(status, -1);
            return;
        }
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
