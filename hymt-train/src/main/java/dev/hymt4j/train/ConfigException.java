package dev.hymt4j.train;

/** A training configuration that cannot be used; the message names the source, the key and what was expected. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
