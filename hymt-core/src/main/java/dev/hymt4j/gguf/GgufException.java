package dev.hymt4j.gguf;

import dev.hymt4j.model.ModelException;

/** A GGUF file that cannot be used: truncated, inconsistent, of another architecture, or missing a needed key. */
public class GgufException extends ModelException {
    public GgufException(String message) {
        super(message);
    }

    public GgufException(String message, Throwable cause) {
        super(message, cause);
    }
}
