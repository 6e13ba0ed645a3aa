package dev.hymt4j.hub;

import java.net.URI;

/**
 * What the hub says about one file of a commit (from the {@code resolve} endpoint's headers).
 *
 * @param etag     the blob name: {@code X-Linked-Etag} for LFS files (their sha256), else the {@code ETag}
 * @param size     expected size in bytes, -1 if the hub did not say
 * @param lfs      whether the file is stored in LFS, so {@code etag} is its sha256
 * @param location where the content is fetched (the CDN URL the hub redirects to, or the resolve URL itself)
 */
public record RemoteFile(String path, String commit, String etag, long size, boolean lfs, URI location) {}
