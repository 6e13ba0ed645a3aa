package dev.hymt4j.bench;

import dev.hymt4j.gguf.GgmlType;
import dev.hymt4j.quant.BlockCodec;
import dev.hymt4j.tensor.Matrix;
import dev.hymt4j.tensor.MemoryStream;
import dev.hymt4j.tensor.Parallel;
import dev.hymt4j.tensor.VectorWidth;
import dev.hymt4j.weights.MatrixFormats;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Decode (one token, GEMV) through the quantized block kernels, in GB/s of weight bytes, next to the
 * memory-stream floor of the same bytes measured in the same run (rounds interleaved, best of each).
 *
 * <pre>  QuantKernelBench [THREADS (2)] [ROUNDS (5)] [FORMATS (Q8_0,Q4_0,Q4_K,Q5_K,Q6_K)] [SET_MB (256)]</pre>
 * Per format two cases: a set of FFN-shaped matrices (6144 × 2048) holding at least SET_MB of blocks, so each
 * product reads memory rather than cache, and the 120818 × 2048 output head (a Q4_K_M file stores its tied
 * embedding as Q6_K). Blocks are real ones: 64 random Gaussian rows quantized by the format's codec, repeated
 * over the rows (off-heap). A timed round repeats the pass for about half a second. Each line also gives the bytes allocated per product by all threads (a kernel that
 * boxes its vectors shows up here) and the process-CPU-time figure, steadier than wall time on a shared host.
 */
public final class QuantKernelBench {
    static final int HIDDEN = 2048, FF = 6144, VOCAB = 120818, DISTINCT_ROWS = 64;
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    public static void main(String[] args) throws Exception {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        String[] formats = (args.length > 2 ? args[2] : "Q8_0,Q4_0,Q4_K,Q5_K,Q6_K").split(",");
        long setBytes = (args.length > 3 ? Long.parseLong(args[3]) : 256) << 20;
        Parallel.setThreads(threads);
        System.out.printf(Locale.ROOT, "threads %d, %s, load average %s%n", threads, VectorWidth.describe(), KernelBench.loadAverage());
        float[] x = new float[HIDDEN], out = new float[VOCAB];
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < x.length; i++) x[i] = (float) random.nextGaussian();
        for (String format : formats) {
            GgmlType type = GgmlType.valueOf(format);
            try (Arena arena = Arena.ofShared()) {
                long ffBytes = type.rowBytes(HIDDEN) * FF;
                List<MemorySegment> set = new ArrayList<>();
                for (long b = 0; b < setBytes; b += ffBytes) set.add(blocks(arena, type, FF, HIDDEN, random));
                run(format + " " + set.size() + " x " + FF + "x" + HIDDEN, type, set, FF, x, out, rounds);
                run(format + " head " + VOCAB + "x" + HIDDEN, type, List.of(blocks(arena, type, VOCAB, HIDDEN, random)), VOCAB, x, out, rounds);
            }
        }
        System.out.printf(Locale.ROOT, "load average at end %s%n", KernelBench.loadAverage());
    }

    private static void run(String name, GgmlType type, List<MemorySegment> segments, int rows, float[] x, float[] out, int rounds) {
        Matrix[] matrices = segments.stream().map(s -> MatrixFormats.create(type.name(), s, rows, HIDDEN)).toArray(Matrix[]::new);
        Runnable pass = () -> {
            for (Matrix m : matrices) m.matmul(x, 1, out);
        };
        // warm-up: C2 compiles the kernel (several passes, so that the timed rounds run compiled code only)
        long warmUntil = System.nanoTime() + 3_000_000_000L, passes = 0, t0 = System.nanoTime();
        do {
            pass.run();
            passes++;
        } while (System.nanoTime() < warmUntil);
        // each timed round repeats the pass for ~0.5 s: the process CPU clock ticks in jiffies
        int reps = (int) Math.max(1, Math.round(0.5e9 / ((System.nanoTime() - t0) / (double) passes)));
        Runnable gemv = () -> {
            for (int i = 0; i < reps; i++) pass.run();
        };
        Runnable stream = () -> {
            for (int i = 0; i < reps; i++) MemoryStream.readAll(segments);
        };
        double bytes = reps * (double) segments.stream().mapToLong(MemorySegment::byteSize).sum();
        stream.run();
        double best = Double.MAX_VALUE, bestCpu = Double.MAX_VALUE, floor = Double.MAX_VALUE;
        long allocated = Long.MAX_VALUE;
        for (int r = 0; r < rounds; r++) {
            long a0 = THREADS.getTotalThreadAllocatedBytes();
            double[] t = KernelBench.time(gemv);
            allocated = Math.min(allocated, THREADS.getTotalThreadAllocatedBytes() - a0);
            best = Math.min(best, t[0]);
            bestCpu = Math.min(bestCpu, t[1]);
            floor = Math.min(floor, KernelBench.time(stream)[0]);
        }
        System.out.printf(Locale.ROOT, "%-28s %7.1f MB  gemv %6.2f GB/s (cpu %6.2f GB/s·core⁻¹)  stream %6.2f GB/s  at %.2f of floor  %,d B allocated/product%n",
                name, bytes / reps / 1e6, bytes / best / 1e9, bytes / bestCpu / 1e9, bytes / floor / 1e9, floor / best,
                allocated / reps / matrices.length);
    }

    /** {@code rows × cols} of {@code type}: {@link #DISTINCT_ROWS} quantized random rows, repeated, 64-byte aligned. */
    static MemorySegment blocks(Arena arena, GgmlType type, int rows, int cols, SplittableRandom random) {
        BlockCodec codec = BlockCodec.of(type);
        int rowBytes = (int) type.rowBytes(cols);
        float[] w = new float[cols];
        byte[] distinct = new byte[DISTINCT_ROWS * rowBytes];
        for (int r = 0; r < DISTINCT_ROWS; r++) {
            for (int i = 0; i < cols; i++) w[i] = (float) (random.nextGaussian() * 0.02);
            codec.quantize(w, 0, cols, distinct, r * rowBytes);
        }
        MemorySegment s = arena.allocate((long) rows * rowBytes, 64);
        MemorySegment src = MemorySegment.ofArray(distinct);
        for (int r = 0; r < rows; r += DISTINCT_ROWS) {
            int n = Math.min(DISTINCT_ROWS, rows - r);
            MemorySegment.copy(src, 0, s, (long) r * rowBytes, (long) n * rowBytes);
        }
        return s;
    }
}
