package dev.hymt4j.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The three hub HTTP calls a download needs, as {@code huggingface_hub} makes them: the revision info API, a
 * {@code HEAD} on the {@code resolve} URL for a file's metadata, and a (ranged) {@code GET} of its content.
 *
 * <p>Redirects are followed by hand: the hub answers {@code resolve} for LFS files with a redirect to a CDN,
 * and the metadata headers ({@code X-Linked-Etag}, {@code X-Linked-Size}, {@code X-Repo-Commit}) sit on that
 * redirect, not on the CDN's answer; relative redirects (a renamed repo) are followed for metadata too. The
 * token is only ever sent to the configured endpoint, never to a CDN host.
 *
 * <p>HTTP failures become {@link HubException}s with a specific message; a plain {@link IOException} means the
 * network itself failed.
 */
public final class HubClient {
    private static final int MAX_REDIRECTS = 10;
    private static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(60);
    private static final String USER_AGENT = "hymt4j/0.1.0; java/" + Runtime.version().feature();

    private final HubConfig config;
    private final HttpClient http;

    public HubClient(HubConfig config) {
        this.config = config;
        this.http = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(30))
                .build();
    }

    /** The commit a revision points to and the files of that commit. */
    public record RepoInfo(String commit, List<String> files) {}

    public RepoInfo repoInfo(RepoId repo, String revision) throws IOException {
        URI uri = URI.create(config.endpoint() + "/api/models/" + repo.id() + "/revision/" + encode(revision));
        HttpResponse<byte[]> response = send(request(uri).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) throw failure(response, repo, "revision " + revision);
        JsonNode json;
        try {
            json = new ObjectMapper().readTree(response.body());
        } catch (IOException e) {
            throw new HubException("Unexpected answer from " + uri + " (not JSON): " + e.getMessage(), e);
        }
        String commit = json.path("sha").asText("");
        if (commit.isEmpty()) throw new HubException("Unexpected answer from " + uri + ": no commit 'sha'.");
        List<String> files = new ArrayList<>();
        json.path("siblings").forEach(sibling -> files.add(sibling.path("rfilename").asText()));
        return new RepoInfo(commit, files);
    }

    /** Metadata of one file at a commit ({@code HEAD} on its resolve URL). */
    public RemoteFile fileMetadata(RepoId repo, String commit, String path) throws IOException {
        URI uri = resolveUri(repo, commit, path);
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpResponse<Void> response = send(request(uri)
                    .method("HEAD", HttpRequest.BodyPublishers.noBody())
                    .header("Accept-Encoding", "identity")
                    .build(), HttpResponse.BodyHandlers.discarding());
            int status = response.statusCode();
            Optional<String> location = response.headers().firstValue("Location");
            if (isRedirect(status) && location.isPresent() && isRelative(location.get())) {
                uri = uri.resolve(location.get());
                continue;
            }
            if (status != 200 && !(isRedirect(status) && location.isPresent())) throw failure(response, repo, path);
            return metadata(response, path, commit, isRedirect(status) ? uri.resolve(location.get()) : uri);
        }
        throw new HubException("Too many redirects for " + resolveUri(repo, commit, path));
    }

    private static RemoteFile metadata(HttpResponse<Void> response, String path, String commit, URI location)
            throws HubException {
        var headers = response.headers();
        Optional<String> linkedEtag = headers.firstValue("X-Linked-Etag");
        String etag = linkedEtag.or(() -> headers.firstValue("ETag")).map(HubClient::normalizeEtag).orElse("");
        if (etag.isEmpty() || etag.contains("/") || etag.contains("\\") || etag.startsWith(".")) {
            throw new HubException("The hub sent no usable ETag for " + path + " (" + response.uri() + ");"
                    + " is HF_ENDPOINT a Hugging Face hub or mirror?");
        }
        long size = headers.firstValue("X-Linked-Size").or(() -> headers.firstValue("Content-Length"))
                .map(Long::parseLong).orElse(-1L);
        String repoCommit = headers.firstValue("X-Repo-Commit").orElse(commit);
        return new RemoteFile(path, repoCommit, etag, size, linkedEtag.isPresent(), location);
    }

    // The hub sends "etag"; the HTTP spec also allows W/"etag".
    static String normalizeEtag(String etag) {
        String e = etag.trim();
        if (e.startsWith("W/")) e = e.substring(2);
        if (e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"")) e = e.substring(1, e.length() - 1);
        return e;
    }

    /**
     * Fetches the file's content into {@code partial}, continuing after the bytes it already holds with a
     * {@code Range} request, and returns the sha256 of the whole file. A server that ignores the range (200
     * instead of 206) gets a fresh download.
     */
    public String fetch(RemoteFile file, Path partial, DownloadProgress progress) throws IOException {
        long have = Files.exists(partial) ? Files.size(partial) : 0;
        if (file.size() >= 0 && have > file.size()) {
            Files.delete(partial); // longer than the file can be: not a prefix of it
            have = 0;
        }
        MessageDigest sha256 = sha256();
        if (have > 0) hashExisting(partial, sha256);
        if (file.size() >= 0 && have == file.size()) {
            progress.started(file.path(), file.size(), have);
            progress.finished(file.path(), have);
            return HexFormat.of().formatHex(sha256.digest());
        }

        HttpResponse<InputStream> response = getFollowingRedirects(file.location(), have);
        try (InputStream body = response.body()) {
            int status = response.statusCode();
            boolean append = status == 206 && have > 0;
            if (status != 200 && status != 206) throw downloadFailure(response, file.path());
            if (!append && have > 0) {
                sha256.reset(); // the server sent the whole file
                have = 0;
            }
            progress.started(file.path(), file.size(), have);
            long done = copy(body, partial, append, sha256, have, file, progress);
            progress.finished(file.path(), done);
        }
        return HexFormat.of().formatHex(sha256.digest());
    }

    private HttpResponse<InputStream> getFollowingRedirects(URI uri, long rangeStart) throws IOException {
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpRequest.Builder builder = request(uri).GET().header("Accept-Encoding", "identity");
            if (rangeStart > 0) builder.header("Range", "bytes=" + rangeStart + "-");
            HttpResponse<InputStream> response = send(builder.build(), HttpResponse.BodyHandlers.ofInputStream());
            Optional<String> location = response.headers().firstValue("Location");
            if (!isRedirect(response.statusCode()) || location.isEmpty()) return response;
            response.body().close();
            uri = uri.resolve(location.get());
        }
        throw new HubException("Too many redirects downloading " + uri);
    }

    private static long copy(InputStream body, Path partial, boolean append, MessageDigest sha256, long have,
                             RemoteFile file, DownloadProgress progress) throws IOException {
        byte[] buffer = new byte[1 << 16];
        long done = have;
        try (OutputStream out = Files.newOutputStream(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
            for (int n; (n = body.read(buffer)) > 0; ) {
                out.write(buffer, 0, n);
                sha256.update(buffer, 0, n);
                done += n;
                progress.advanced(file.path(), done, file.size());
            }
        }
        return done;
    }

    private static void hashExisting(Path partial, MessageDigest sha256) throws IOException {
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(partial)) {
            for (int n; (n = in.read(buffer)) > 0; ) sha256.update(buffer, 0, n);
        }
    }

    private HttpRequest.Builder request(URI uri) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(RESPONSE_TIMEOUT).header("User-Agent", USER_AGENT);
        if (config.hasToken() && sameOrigin(uri, config.endpoint())) {
            builder.header("Authorization", "Bearer " + config.token());
        }
        return builder;
    }

    private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) throws IOException {
        try {
            return http.send(request, handler);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("Interrupted while talking to " + request.uri());
        }
    }

    private HubException failure(HttpResponse<?> response, RepoId repo, String what) {
        int status = response.statusCode();
        String where = repo + " (" + what + ")";
        String message = switch (status) {
            case 401 -> config.hasToken()
                    ? "HTTP 401 for " + where + ": the hub rejected the token from HF_TOKEN, or it has no access to this"
                      + " repository. Check the token at https://huggingface.co/settings/tokens and the repo id's spelling."
                    : "HTTP 401 for " + where + ": the repository needs authentication, or does not exist (the hub"
                      + " answers 401 for unknown repositories). Check the repo id; for a private or gated model set"
                      + " HF_TOKEN to an access token from https://huggingface.co/settings/tokens.";
            case 403 -> "HTTP 403 for " + where + ": access is forbidden. For a gated model, accept its terms on the"
                        + " model page with the account whose token is in HF_TOKEN.";
            case 404 -> "HTTP 404 for " + where + ": not found on " + config.endpoint() + ". Check the repo id,"
                        + " the revision and the file name.";
            default -> "HTTP " + status + " for " + where + " from " + response.uri() + "; try again later.";
        };
        String serverSays = response.headers().firstValue("X-Error-Message").map(m -> " The hub says: " + m).orElse("");
        return new HubException(message + serverSays);
    }

    // The content host (often a CDN with signed URLs) is not the hub: token and gating advice would mislead.
    private static HubException downloadFailure(HttpResponse<?> response, String path) {
        return new HubException("HTTP " + response.statusCode() + " downloading " + path + " from " + response.uri()
                + "; run the download again to resume.");
    }

    private URI resolveUri(RepoId repo, String revision, String path) {
        return URI.create(config.endpoint() + "/" + repo.id() + "/resolve/" + encode(revision) + "/" + encodePath(path));
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    private static boolean isRelative(String location) {
        return !URI.create(location).isAbsolute() && !location.startsWith("//");
    }

    private static boolean sameOrigin(URI a, URI b) {
        return Objects.equals(a.getScheme(), b.getScheme()) && Objects.equals(a.getHost(), b.getHost())
                && a.getPort() == b.getPort();
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String encodePath(String path) {
        return String.join("/", java.util.Arrays.stream(path.split("/")).map(HubClient::encode).toList());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
