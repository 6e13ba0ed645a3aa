package dev.hymt4j.engine;

/** {@link Engine#submit} refused a request because {@code maxQueue} requests are already waiting. */
public class QueueFullException extends RuntimeException {
    public QueueFullException(String message) {
        super(message);
    }
}
