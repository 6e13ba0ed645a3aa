package dev.hymt4j.hub;

import java.io.IOException;

/** A download or cache lookup that failed for a reason the user can act on; the message says what to do. */
public class HubException extends IOException {
    public HubException(String message) {
        super(message);
    }

    public HubException(String message, Throwable cause) {
        super(message, cause);
    }
}
