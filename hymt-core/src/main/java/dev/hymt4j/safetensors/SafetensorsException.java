package dev.hymt4j.safetensors;

import java.io.IOException;

/** A safetensors file that cannot be used: missing, truncated, or with a corrupt or inconsistent header. */
public class SafetensorsException extends IOException {
    public SafetensorsException(String message) {
        super(message);
    }

    public SafetensorsException(String message, Throwable cause) {
        super(message, cause);
    }
}
