package dev.hymt4j.tokenizer;

import java.io.IOException;
import java.nio.file.Path;

/** A tokenizer file that is missing, unreadable or not in a supported form; the message names the file and the fault. */
public final class TokenizerLoadException extends IOException {
    public TokenizerLoadException(Path file, String fault) {
        super(file + ": " + fault);
    }

    public TokenizerLoadException(Path file, String fault, Throwable cause) {
        super(file + ": " + fault, cause);
    }
}
