package dev.hymt4j.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Fills a directory under a temporary name beside the target and renames it into place when complete, so a
 * crash leaves either the old directory or the complete new one; a directory that was there ({@code --force})
 * is renamed aside first and deleted only after the new one is in place. Failures name the target, never the
 * temporary directory.
 */
public final class AtomicDirectory {
    private AtomicDirectory() {}

    /** The body of a write: fills the (empty) directory it is given. */
    @FunctionalInterface
    public interface Body {
        void writeTo(Path directory) throws IOException;
    }

    public static void write(Path target, Body body) throws IOException {
        Path parent = target.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createTempDirectory(parent, "." + target.getFileName() + ".tmp-");
        try {
            if (tmp.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
            body.writeTo(tmp);
            Path replaced = null;
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS) && !isEmptyDirectory(target)) {
                replaced = parent.resolve("." + target.getFileName() + ".replaced-" + UUID.randomUUID());
                Files.move(target, replaced, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            if (replaced != null) deleteTree(replaced);
        } catch (IOException e) {
            throw AtomicFile.underTargetName(e, tmp, target);
        } finally {
            deleteTree(tmp);
        }
    }

    /** Removes {@code dir} as one step first (renamed aside), then deletes its contents: for {@code --force}. */
    public static void discard(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) return;
        if (Files.isSymbolicLink(dir) || !Files.isDirectory(dir)) {
            Files.delete(dir);
            return;
        }
        Path aside = dir.toAbsolutePath().resolveSibling("." + dir.getFileName() + ".discarded-" + UUID.randomUUID());
        Files.move(dir, aside, StandardCopyOption.ATOMIC_MOVE);
        deleteTree(aside);
    }

    private static boolean isEmptyDirectory(Path p) throws IOException {
        if (Files.isSymbolicLink(p) || !Files.isDirectory(p)) return false;
        try (Stream<Path> list = Files.list(p)) {
            return list.findAny().isEmpty();
        }
    }

    /** Deletes a tree without following links out of it. */
    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
