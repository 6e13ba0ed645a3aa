package dev.hymt4j.hub;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Downloads a revision of a model repository into the hub cache ({@link HubCache}), the way
 * {@code huggingface_hub.snapshot_download} does: list the commit's files, fetch each selected one into
 * {@code blobs/} (resuming a partial {@code .incomplete} file, verifying sha256 and size), link it into
 * {@code snapshots/{commit}/} and record the branch in {@code refs/}.
 *
 * <p>Files already in the snapshot are not fetched again. Small files come first and weights last, so an
 * interrupted download leaves a snapshot that {@link ModelFiles#missing} reports as incomplete.
 */
public final class HubDownloader {
    private final HubConfig config;
    private final HubCache cache;
    private final HubClient client;
    private final DownloadProgress progress;

    public HubDownloader(HubConfig config, DownloadProgress progress) {
        this.config = config;
        this.cache = new HubCache(config.cacheDir());
        this.client = new HubClient(config);
        this.progress = progress;
    }

    public HubCache cache() {
        return cache;
    }

    /** The snapshot folder holding the revision's files that match {@code includeGlobs}. */
    public Path download(RepoId repo, String revision, List<String> includeGlobs) throws IOException {
        checkRevision(revision);
        if (config.offline()) {
            Optional<Path> cached = cache.snapshotFor(repo, revision);
            if (cached.isPresent()) return cached.get();
            throw new HubException(ManualDownloadHelp.message("HF_HUB_OFFLINE is set and the cache at "
                    + config.cacheDir() + " has no snapshot of revision " + revision + ".", config, repo, revision, includeGlobs));
        }
        HubClient.RepoInfo info;
        try {
            info = client.repoInfo(repo, revision);
        } catch (HubException e) {
            throw e;
        } catch (IOException networkFailure) {
            throw unreachable(networkFailure, repo, revision, includeGlobs);
        }
        List<String> selected = ModelFiles.select(info.files(), includeGlobs).stream()
                .sorted(Comparator.comparing((String f) -> f.endsWith(".safetensors")).thenComparing(f -> f))
                .toList();
        if (selected.isEmpty()) {
            throw new HubException("No file of " + repo + "@" + revision + " matches " + includeGlobs
                    + ". The repository has: " + String.join(", ", info.files()));
        }
        for (String file : selected) {
            try {
                fetchIntoSnapshot(repo, info.commit(), file);
            } catch (HubException e) {
                throw e;
            } catch (IOException networkFailure) {
                throw unreachable(networkFailure, repo, revision, selected);
            }
        }
        if (!revision.equals(info.commit())) cache.writeRef(repo, revision, info.commit());
        return cache.snapshotDir(repo, info.commit());
    }

    private void fetchIntoSnapshot(RepoId repo, String commit, String file) throws IOException {
        Path target = cache.snapshotFile(repo, commit, file);
        if (Files.isRegularFile(target)) return; // follows the symlink: present and pointing at a blob
        RemoteFile remote = client.fileMetadata(repo, commit, file);
        Path blob = cache.blob(repo, remote.etag());
        if (!Files.isRegularFile(blob)) {
            Path partial = cache.incompleteBlob(repo, remote.etag());
            Files.createDirectories(partial.getParent());
            String sha256 = client.fetch(remote, partial, progress);
            verify(remote, partial, sha256);
            Files.move(partial, blob, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        HubCache.link(target, blob);
    }

    // A corrupt partial would poison every later resume, so it is deleted with the error.
    private static void verify(RemoteFile remote, Path partial, String sha256) throws IOException {
        long size = Files.size(partial);
        String problem = null;
        if (remote.size() >= 0 && size != remote.size()) {
            problem = "size " + size + " bytes, expected " + remote.size();
        } else if (remote.lfs() && !remote.etag().equalsIgnoreCase(sha256)) {
            problem = "sha256 " + sha256 + ", expected " + remote.etag();
        }
        if (problem != null) {
            Files.deleteIfExists(partial);
            throw new HubException("Downloaded " + remote.path() + " is corrupt (" + problem + "); the partial file"
                    + " was deleted. Run the download again; if it keeps failing, check HF_ENDPOINT / any proxy.");
        }
    }

    private HubException unreachable(IOException cause, RepoId repo, String revision, List<String> files) {
        String reason = "the hub at " + config.endpoint() + " is unreachable (" + cause.getClass().getSimpleName()
                + (cause.getMessage() != null ? ": " + cause.getMessage() : "") + ").";
        return new HubException(ManualDownloadHelp.message(reason, config, repo, revision, files), cause);
    }

    private static void checkRevision(String revision) {
        if (revision.isBlank() || revision.startsWith("/") || revision.contains("\\")
                || List.of(revision.split("/")).contains("..")) {
            throw new IllegalArgumentException("Invalid revision '" + revision + "'");
        }
    }
}
