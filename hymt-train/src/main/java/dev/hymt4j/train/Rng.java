package dev.hymt4j.train;

import java.util.Arrays;

/**
 * xoshiro256** (Blackman and Vigna) with its 256-bit state in the open, so a run can checkpoint it
 * ({@link #state()}) and resume it ({@link #fromState(long[])}) exactly — which {@link java.util.SplittableRandom}
 * and {@link java.util.Random} cannot do.
 *
 * <p>Where possible, prefer {@link #derive(long, long...)}: a fresh stream that is a pure function of the seed
 * and a few keys (say epoch, or optimizer step and layer). Streams derived that way need no saving at all, and
 * the batch order of {@link LengthBucketedBatcher} is built so. Seeding and derivation use SplitMix64, as the
 * xoshiro authors recommend, so nearby seeds give unrelated streams.
 */
public final class Rng {
    private long s0, s1, s2, s3;

    private Rng(long s0, long s1, long s2, long s3) {
        if ((s0 | s1 | s2 | s3) == 0) throw new IllegalArgumentException("xoshiro256** state must not be all zero");
        this.s0 = s0;
        this.s1 = s1;
        this.s2 = s2;
        this.s3 = s3;
    }

    public static Rng seeded(long seed) {
        return derive(seed);
    }

    /** A stream determined by {@code seed} and {@code keys}; different key tuples give independent streams. */
    public static Rng derive(long seed, long... keys) {
        long x = seed;
        for (long k : keys) x = mix64(x + GOLDEN_GAMMA) ^ k;
        long[] s = new long[4];
        for (int i = 0; i < 4; i++) {
            x += GOLDEN_GAMMA;
            s[i] = mix64(x);
        }
        return new Rng(s[0], s[1], s[2], s[3]);
    }

    /** Restores a generator from {@link #state()}. */
    public static Rng fromState(long[] state) {
        if (state.length != 4) throw new IllegalArgumentException("xoshiro256** state is 4 longs, got " + state.length);
        return new Rng(state[0], state[1], state[2], state[3]);
    }

    /** The 4-long state; {@link #fromState} of it continues with exactly the same numbers. */
    public long[] state() {
        return new long[]{s0, s1, s2, s3};
    }

    public long nextLong() {
        long result = Long.rotateLeft(s1 * 5, 7) * 9;
        long t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = Long.rotateLeft(s3, 45);
        return result;
    }

    /** Uniform in [0, bound), without modulo bias (Lemire's multiply-and-reject on the top 32 bits). */
    public int nextInt(int bound) {
        if (bound <= 0) throw new IllegalArgumentException("bound must be positive, got " + bound);
        long m = (nextLong() >>> 32) * bound;
        if ((m & 0xFFFFFFFFL) < bound) {
            long threshold = (0x1_0000_0000L - bound) % bound;
            while ((m & 0xFFFFFFFFL) < threshold) m = (nextLong() >>> 32) * bound;
        }
        return (int) (m >>> 32);
    }

    /** Uniform in [0, 1) with 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Uniform in [0, 1) with 24 random bits (e.g. a dropout mask). */
    public float nextFloat() {
        return (nextLong() >>> 40) * 0x1.0p-24f;
    }

    /** Fisher–Yates shuffle in place. */
    public void shuffle(int[] a) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    /** SplitMix64's output function (Stafford variant 13). */
    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    @Override
    public String toString() {
        return "Rng" + Arrays.toString(state());
    }
}
