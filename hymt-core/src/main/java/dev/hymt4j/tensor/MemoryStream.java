package dev.hymt4j.tensor;

import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.List;

/**
 * The memory-stream floor of a memory-bound product: the time to read every byte of some segments once, on the
 * {@link Parallel} pool in 1 MiB blocks. Benchmarks time it next to a decode step that reads the same bytes.
 */
public final class MemoryStream {
    private static final VectorSpecies<Long> L = LongVector.SPECIES_PREFERRED;

    private MemoryStream() {}

    /** Reads every byte of {@code segments} once, summing them as longs so that the reads cannot be elided. */
    public static long readAll(List<MemorySegment> segments) {
        long total = 0;
        for (MemorySegment s : segments) {
            long block = 1 << 20;
            int blocks = (int) ((s.byteSize() + block - 1) / block);
            long[] sums = new long[blocks];
            Parallel.forRange(blocks, 1, (b0, b1) -> {
                for (int b = b0; b < b1; b++) {
                    long start = b * block, end = Math.min(s.byteSize(), start + block);
                    LongVector acc = LongVector.zero(L);
                    for (long i = start; i + L.vectorByteSize() <= end; i += L.vectorByteSize()) {
                        acc = acc.add(LongVector.fromMemorySegment(L, s, i, ByteOrder.LITTLE_ENDIAN));
                    }
                    sums[b] = acc.reduceLanes(VectorOperators.ADD);
                }
            });
            for (long x : sums) total += x;
        }
        return total;
    }
}
