package dev.hymt4j.tensor;

/**
 * Finding NaN and infinite values, so that a computation that went non-finite stops with a message saying where
 * instead of producing {@code !!!!!!!!} or a NaN adapter. One scalar pass; the callers run it on what they
 * already hold (a logits row, a norm vector, a loss), so it costs nothing next to the matmuls that made it.
 */
public final class Finite {
    private Finite() {}

    /** The index of the first NaN or ±∞ in {@code x[from, to)}, or -1 when all are finite. */
    public static int firstNonFinite(float[] x, int from, int to) {
        for (int i = from; i < to; i++) if (!Float.isFinite(x[i])) return i;
        return -1;
    }

    public static int firstNonFinite(float[] x) {
        return firstNonFinite(x, 0, x.length);
    }

    /** {@code x}, or a {@link NonFiniteException} naming {@code what} and the first bad index and value. */
    public static float[] requireFinite(float[] x, String what) {
        int bad = firstNonFinite(x);
        if (bad >= 0) throw new NonFiniteException(what + " holds " + x[bad] + " at index " + bad);
        return x;
    }
}
