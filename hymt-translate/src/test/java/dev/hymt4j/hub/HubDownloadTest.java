package dev.hymt4j.hub;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HubDownloadTest {
    @TempDir
    Path cacheDir;
    private FakeHub hub;

    @BeforeEach
    void startHub() throws IOException {
        hub = new FakeHub();
    }

    @AfterEach
    void stopHub() {
        hub.close();
    }

    private HubConfig config(String token, boolean offline) {
        return new HubConfig(hub.endpoint(), cacheDir, token, offline);
    }

    private Path repoDir() {
        return cacheDir.resolve("models--tencent--tiny-mt");
    }

    @Test
    void downloadsTheModelFilesIntoTheHubCacheLayout() throws Exception {
        Path snapshot = new ModelLocator(config(null, false), DownloadProgress.NONE).locate(FakeHub.REPO);

        assertEquals(repoDir().resolve("snapshots").resolve(FakeHub.COMMIT), snapshot);
        assertEquals(FakeHub.COMMIT, Files.readString(repoDir().resolve("refs/main")));
        for (String file : List.of("config.json", "tokenizer.json", "model.safetensors")) {
            assertArrayEquals(hub.content(file), Files.readAllBytes(snapshot.resolve(file)), file);
        }
        String sha = FakeHub.sha256(hub.content("model.safetensors"));
        Path weights = snapshot.resolve("model.safetensors");
        assertTrue(Files.isSymbolicLink(weights));
        assertEquals(Path.of("../../blobs/" + sha), Files.readSymbolicLink(weights));
        assertFalse(Files.exists(snapshot.resolve("README.md")), "not a model file");
        assertFalse(Files.exists(snapshot.resolve("onnx")), "not a model file");
        try (Stream<Path> blobs = Files.list(repoDir().resolve("blobs"))) {
            assertTrue(blobs.noneMatch(p -> p.toString().endsWith(".incomplete")));
        }
        assertTrue(hub.requests.stream().allMatch(r -> r.authorization() == null), "no token configured");
        assertTrue(hub.requests.stream().anyMatch(r -> r.method().equals("HEAD")), "metadata via HEAD");
    }

    @Test
    void completeCachedSnapshotIsUsedWithoutAnyRequest() throws Exception {
        Path first = new ModelLocator(config(null, false), DownloadProgress.NONE).locate(FakeHub.REPO);
        hub.requests.clear();
        Path second = new ModelLocator(config(null, false), DownloadProgress.NONE).locate(FakeHub.REPO);
        assertEquals(first, second);
        assertEquals(List.of(), hub.requests);

        HubConfig unreachable = new HubConfig(unusedEndpoint(), cacheDir, null, false);
        assertEquals(first, new ModelLocator(unreachable, DownloadProgress.NONE).locate(FakeHub.REPO));
    }

    @Test
    void resumesAPartialDownloadWithARangeRequest() throws Exception {
        byte[] weights = hub.content("model.safetensors");
        String sha = FakeHub.sha256(weights);
        Path partial = repoDir().resolve("blobs").resolve(sha + ".incomplete");
        Files.createDirectories(partial.getParent());
        Files.write(partial, Arrays.copyOf(weights, 50_000));
        List<Long> resumedFrom = new ArrayList<>();

        Path snapshot = new ModelLocator(config(null, false), recording(resumedFrom)).locate(FakeHub.REPO);

        List<FakeHub.Request> cdn = hub.requestsTo("/cdn/");
        assertEquals(1, cdn.size());
        assertEquals("bytes=50000-", cdn.getFirst().range());
        assertEquals(sha, FakeHub.sha256(Files.readAllBytes(snapshot.resolve("model.safetensors"))));
        assertFalse(Files.exists(partial));
        assertTrue(resumedFrom.contains(50_000L), resumedFrom.toString());
    }

    @Test
    void checksumMismatchFailsAndLeavesNothingBehind() {
        hub.corruptLfs = true;
        HubException e = assertThrows(HubException.class,
                () -> new ModelLocator(config(null, false), DownloadProgress.NONE).locate(FakeHub.REPO));
        assertTrue(e.getMessage().contains("model.safetensors is corrupt") && e.getMessage().contains("sha256"),
                e.getMessage());
        Path snapshot = repoDir().resolve("snapshots").resolve(FakeHub.COMMIT);
        assertFalse(Files.exists(snapshot.resolve("model.safetensors")));
        assertFalse(Files.exists(repoDir().resolve("blobs").resolve(sha256Quietly() + ".incomplete")));
        assertFalse(Files.exists(repoDir().resolve("blobs").resolve(sha256Quietly())));
    }

    @Test
    void unauthorizedWithoutTokenExplainsHfToken() {
        hub.requiredToken = "s3cret";
        HubException e = assertThrows(HubException.class,
                () -> new ModelLocator(config(null, false), DownloadProgress.NONE).locate(FakeHub.REPO));
        assertTrue(e.getMessage().startsWith("HTTP 401 for tencent/tiny-mt"), e.getMessage());
        assertTrue(e.getMessage().contains("needs authentication, or does not exist"), e.getMessage());
        assertTrue(e.getMessage().contains("set HF_TOKEN"), e.getMessage());
    }

    @Test
    void unauthorizedWithWrongTokenSaysTheTokenWasRejected() {
        hub.requiredToken = "s3cret";
        HubException e = assertThrows(HubException.class,
                () -> new ModelLocator(config("wrong", false), DownloadProgress.NONE).locate(FakeHub.REPO));
        assertTrue(e.getMessage().contains("rejected the token from HF_TOKEN"), e.getMessage());
        assertFalse(e.getMessage().contains("wrong"), "the token itself never appears in messages");
    }

    @Test
    void tokenIsSentAsBearer() throws Exception {
        hub.requiredToken = "s3cret";
        new ModelLocator(config("s3cret", false), DownloadProgress.NONE).locate(FakeHub.REPO);
        assertTrue(hub.requestsTo("/api/").stream().allMatch(r -> "Bearer s3cret".equals(r.authorization())));
    }

    @Test
    void offlineModeExplainsTheManualDownload() {
        HubException e = assertThrows(HubException.class,
                () -> new ModelLocator(config(null, true), DownloadProgress.NONE).locate(FakeHub.REPO));
        String m = e.getMessage();
        assertTrue(m.contains("HF_HUB_OFFLINE is set"), m);
        assertTrue(m.contains(hub.endpoint() + "/tencent/tiny-mt/resolve/main/config.json"), m);
        assertTrue(m.contains("tokenizer.json") && m.contains("*.safetensors"), m);
        assertTrue(m.contains("--model /path/to/folder"), m);
        assertTrue(m.contains(repoDir().resolve("snapshots").resolve("manual").toString()), m);
        assertTrue(m.contains(repoDir().resolve("refs").resolve("main").toString()), m);
        assertEquals(List.of(), hub.requests);
    }

    @Test
    void manuallyPlacedSnapshotWorksOffline() throws Exception {
        Path manual = repoDir().resolve("snapshots/manual");
        Files.createDirectories(manual);
        for (String f : List.of("config.json", "tokenizer.json", "model.safetensors")) Files.write(manual.resolve(f), hub.content(f));
        Files.createDirectories(repoDir().resolve("refs"));
        Files.writeString(repoDir().resolve("refs/main"), "manual");
        assertEquals(manual, new ModelLocator(config(null, true), DownloadProgress.NONE).locate(FakeHub.REPO));
    }

    @Test
    void unreachableHubExplainsTheManualDownload() throws Exception {
        HubConfig unreachable = new HubConfig(unusedEndpoint(), cacheDir, null, false);
        HubException e = assertThrows(HubException.class,
                () -> new ModelLocator(unreachable, DownloadProgress.NONE).locate(FakeHub.REPO));
        assertTrue(e.getMessage().contains("is unreachable"), e.getMessage());
        assertTrue(e.getMessage().contains("--model /path/to/folder"), e.getMessage());
    }

    @Test
    void includeGlobsSelectFilesInSubfoldersAndPinnedCommitsWriteNoRef() throws Exception {
        HubDownloader downloader = new HubDownloader(config(null, false), DownloadProgress.NONE);
        Path snapshot = downloader.download(new RepoId(FakeHub.REPO), FakeHub.COMMIT, List.of("onnx/*"));
        Path onnx = snapshot.resolve("onnx/model.onnx");
        assertArrayEquals(hub.content("onnx/model.onnx"), Files.readAllBytes(onnx));
        assertEquals(Path.of("../../../blobs/" + FakeHub.sha256(hub.content("onnx/model.onnx"))), Files.readSymbolicLink(onnx));
        assertFalse(Files.exists(snapshot.resolve("config.json")));
        assertFalse(Files.exists(repoDir().resolve("refs")));

        HubException none = assertThrows(HubException.class,
                () -> downloader.download(new RepoId(FakeHub.REPO), "main", List.of("*.gguf")));
        assertTrue(none.getMessage().contains("No file of tencent/tiny-mt@main matches [*.gguf]"), none.getMessage());
        assertTrue(none.getMessage().contains("model.safetensors"), none.getMessage());
    }

    @Test
    void unknownRevisionIsA404WithTheHubsMessage() {
        HubDownloader downloader = new HubDownloader(config(null, false), DownloadProgress.NONE);
        HubException e = assertThrows(HubException.class,
                () -> downloader.download(new RepoId(FakeHub.REPO), "v9", ModelFiles.DEFAULT_INCLUDES));
        assertTrue(e.getMessage().contains("HTTP 404") && e.getMessage().contains("Invalid rev id: v9"), e.getMessage());
    }

    @Test
    void metadataComesFromTheResolveHeaders() throws Exception {
        HubClient client = new HubClient(config(null, false));
        RepoId repo = new RepoId(FakeHub.REPO);
        RemoteFile config = client.fileMetadata(repo, "main", "config.json");
        assertFalse(config.lfs());
        assertEquals(hub.content("config.json").length, config.size());
        assertEquals(40, config.etag().length());
        assertEquals(URI.create(hub.endpoint() + "/tencent/tiny-mt/resolve/main/config.json"), config.location());

        RemoteFile weights = client.fileMetadata(repo, "main", "model.safetensors");
        String sha = FakeHub.sha256(hub.content("model.safetensors"));
        assertTrue(weights.lfs());
        assertEquals(sha, weights.etag(), "X-Linked-Etag wins over ETag");
        assertEquals(hub.content("model.safetensors").length, weights.size());
        assertEquals(FakeHub.COMMIT, weights.commit());
        assertEquals(URI.create(hub.endpoint() + "/cdn/" + sha), weights.location());
        assertEquals(List.of(), hub.requestsTo("/cdn/"), "metadata does not follow the redirect to the CDN");
    }

    @Test
    void etagNormalization() {
        assertEquals("abc", HubClient.normalizeEtag("\"abc\""));
        assertEquals("abc", HubClient.normalizeEtag("W/\"abc\""));
        assertEquals("abc", HubClient.normalizeEtag("abc"));
    }

    private String sha256Quietly() {
        try {
            return FakeHub.sha256(hub.content("model.safetensors"));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static URI unusedEndpoint() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return URI.create("http://127.0.0.1:" + socket.getLocalPort());
        }
    }

    private static DownloadProgress recording(List<Long> resumedFrom) {
        return new DownloadProgress() {
            @Override
            public void started(String file, long totalBytes, long resumed) {
                resumedFrom.add(resumed);
            }

            @Override
            public void advanced(String file, long bytesDone, long totalBytes) {}

            @Override
            public void finished(String file, long totalBytes) {}
        };
    }
}
