package dev.hymt4j.eval;

/** Unusable evaluation input: unreadable file, bad JSON line, missing field, mismatched line counts. */
public final class EvalInputException extends RuntimeException {
    public EvalInputException(String message) {
        super(message);
    }
}
