package dev.hymt4j.io;

import java.io.IOException;

/** A file that should be UTF-8 text and is not (binary, UTF-16, broken bytes); the message names the file and where. */
public final class TextFileException extends IOException {
    public TextFileException(String message) {
        super(message);
    }
}
