package dev.hymt4j.data;

/** An example together with where it was read, so rejects and errors can point back at the input. */
public record LocatedExample(ParallelExample example, String file, long line) {}
