package dev.hymt4j.io;

import java.io.IOException;

/**
 * A command's paths were refused before any work started: an output that is, contains, lies inside or links to
 * one of its inputs, an output that would replace other work without {@code --force}, or a path that cannot be
 * used at all (a symbolic link that loops, a file where a directory is needed). The message names the option
 * and the path as the user gave them.
 */
public final class UnsafePathException extends IOException {
    public UnsafePathException(String message) {
        super(message);
    }
}
