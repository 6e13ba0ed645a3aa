package dev.hymt4j.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Writes a file under a temporary name in the target's folder, forces it to disk and renames it over the
 * target, so readers (and a crashed run that restarts) see either the old file or the complete new one.
 * A failure is reported under the target's name, never the temporary one.
 */
public final class AtomicFile {
    private AtomicFile() {}

    /** The body of a write: fills the channel. */
    @FunctionalInterface
    public interface Body {
        void writeTo(FileChannel channel) throws IOException;
    }

    public static void write(Path target, Body body) throws IOException {
        Path tmp = temporarySibling(target);
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                body.writeTo(ch);
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw underTargetName(e, tmp, target);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * A new empty file with a fresh hidden name beside {@code target} (so renaming it over the target is atomic),
     * readable like any other output; the caller writes it, renames it or deletes it.
     */
    public static Path temporarySibling(Path target) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
        // Temp files are created owner-only; the finished file should be readable like any other output.
        if (tmp.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
        }
        return tmp;
    }

    public static void write(Path target, byte[] bytes) throws IOException {
        write(target, ch -> {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) ch.write(b);
        });
    }

    public static void writeString(Path target, String text) throws IOException {
        write(target, text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /**
     * The failure {@code e} of writing {@code tmp} as it concerns the user: the same fault, named by the target
     * they asked for (e.g. {@code out.txt: No space left on device}, not {@code .out.txt.123.tmp: ...}).
     */
    public static IOException underTargetName(IOException e, Path tmp, Path target) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (!message.contains(tmp.toString()) && !message.contains(tmp.getFileName().toString())) {
            if (e instanceof java.nio.file.FileSystemException fs && fs.getReason() != null && fs.getFile() != null) {
                return new IOException(target + ": " + fs.getReason(), e);
            }
            return e;
        }
        String named = message.replace(tmp.toAbsolutePath().toString(), target.toString())
                .replace(tmp.toString(), target.toString()).replace(tmp.getFileName().toString(), target.getFileName().toString());
        return new IOException(named, e);
    }
}
