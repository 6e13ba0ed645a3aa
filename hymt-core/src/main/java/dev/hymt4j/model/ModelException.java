package dev.hymt4j.model;

import java.io.IOException;

/** A model directory that cannot be loaded: missing file, bad config, missing or mis-shaped tensor. */
public class ModelException extends IOException {
    public ModelException(String message) {
        super(message);
    }

    public ModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
