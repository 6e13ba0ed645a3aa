package dev.hymt4j.hub;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The hub cache layout {@code huggingface_hub} uses, so models downloaded by Python tools are found here and
 * the other way round:
 * <pre>
 * {cacheDir}/models--{org}--{name}/
 *     blobs/{etag}                     file contents, named by ETag (the sha256 for LFS files)
 *     blobs/{etag}.incomplete          a download in progress, resumed from its length
 *     refs/{revision}                  the commit hash a branch or tag pointed to, no newline
 *     snapshots/{commit}/{file}        relative symlinks to ../../blobs/{etag}
 * </pre>
 */
public final class HubCache {
    private static final Pattern COMMIT_HASH = Pattern.compile("[0-9a-f]{40}");

    private final Path cacheDir;

    public HubCache(Path cacheDir) {
        this.cacheDir = cacheDir;
    }

    public Path cacheDir() {
        return cacheDir;
    }

    public Path repoDir(RepoId repo) {
        return cacheDir.resolve(repo.cacheFolderName());
    }

    public Path blob(RepoId repo, String etag) {
        return repoDir(repo).resolve("blobs").resolve(etag);
    }

    public Path incompleteBlob(RepoId repo, String etag) {
        return repoDir(repo).resolve("blobs").resolve(etag + ".incomplete");
    }

    public Path snapshotDir(RepoId repo, String commit) {
        return repoDir(repo).resolve("snapshots").resolve(commit);
    }

    /** The file's place in a snapshot; rejects names that would escape it. */
    public Path snapshotFile(RepoId repo, String commit, String file) throws HubException {
        Path dir = snapshotDir(repo, commit);
        Path resolved = dir.resolve(file).normalize();
        if (file.startsWith("/") || file.contains("\\") || !resolved.startsWith(dir) || resolved.equals(dir)) {
            throw new HubException("Refusing file name '" + file + "' from " + repo + ": it points outside the snapshot.");
        }
        return resolved;
    }

    public static boolean isCommitHash(String revision) {
        return COMMIT_HASH.matcher(revision).matches();
    }

    /** The commit a revision stands for, from {@code refs/} (a commit hash stands for itself). */
    public Optional<String> commitFor(RepoId repo, String revision) throws IOException {
        if (isCommitHash(revision)) return Optional.of(revision);
        Path ref = repoDir(repo).resolve("refs").resolve(revision);
        if (!Files.isRegularFile(ref)) return Optional.empty();
        String commit = Files.readString(ref, StandardCharsets.UTF_8).trim();
        return commit.isEmpty() ? Optional.empty() : Optional.of(commit);
    }

    /** The snapshot folder of a revision, if the cache has one. */
    public Optional<Path> snapshotFor(RepoId repo, String revision) throws IOException {
        Optional<String> commit = commitFor(repo, revision);
        return commit.map(c -> snapshotDir(repo, c)).filter(Files::isDirectory);
    }

    public void writeRef(RepoId repo, String revision, String commit) throws IOException {
        Path ref = repoDir(repo).resolve("refs").resolve(revision);
        Files.createDirectories(ref.getParent());
        Files.writeString(ref, commit, StandardCharsets.UTF_8);
    }

    /**
     * Makes {@code snapshotFile} show {@code blob}: a relative symlink as {@code huggingface_hub} makes; where
     * the file system refuses symlinks (Windows without developer mode, some network mounts) a hard link,
     * which costs no space either, and as a last resort a copy.
     */
    public static void link(Path snapshotFile, Path blob) throws IOException {
        Files.createDirectories(snapshotFile.getParent());
        Files.deleteIfExists(snapshotFile);
        try {
            Files.createSymbolicLink(snapshotFile, snapshotFile.getParent().relativize(blob));
            return;
        } catch (UnsupportedOperationException | FileSystemException symlinkRefused) {
            // fall through to a hard link
        }
        try {
            Files.createLink(snapshotFile, blob);
        } catch (UnsupportedOperationException | FileSystemException hardLinkRefused) {
            Files.copy(blob, snapshotFile, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
