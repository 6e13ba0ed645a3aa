package dev.hymt4j.data;

import java.util.NoSuchElementException;

/**
 * The iterator half shared by the readers: one example of lookahead, so {@link #hasNext} reads (and reports a bad
 * record) and {@link #next} hands the example over.
 */
abstract class LookaheadReader implements ExampleReader {
    private LocatedExample next;

    /** Reads the next example, or returns null at the end of the input; failures are unchecked. */
    abstract LocatedExample read();

    @Override
    public final boolean hasNext() {
        if (next == null) next = read();
        return next != null;
    }

    @Override
    public final LocatedExample next() {
        if (!hasNext()) throw new NoSuchElementException();
        LocatedExample result = next;
        next = null;
        return result;
    }
}
