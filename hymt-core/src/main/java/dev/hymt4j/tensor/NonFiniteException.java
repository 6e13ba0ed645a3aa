package dev.hymt4j.tensor;

/** A NaN or infinite number where the work needs finite ones; the message says where it was found. */
public class NonFiniteException extends ArithmeticException {
    public NonFiniteException(String message) {
        super(message);
    }
}
