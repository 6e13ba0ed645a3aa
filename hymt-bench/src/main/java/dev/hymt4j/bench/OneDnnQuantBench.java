package dev.hymt4j.bench;

import dev.hymt4j.gguf.GgmlType;
import dev.hymt4j.onednn.CompressedWeights;
import dev.hymt4j.onednn.OneDnn;
import dev.hymt4j.tensor.Matrix;
import dev.hymt4j.tensor.Parallel;
import dev.hymt4j.tensor.VectorWidth;
import dev.hymt4j.weights.MatrixFormats;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * oneDNN's matmul from <b>compressed weights</b> ({@link CompressedWeights}: the int8 / int4 quants of a Q8_0 /
 * Q4_0 / Q4_K tensor repacked without their interleaved scales, the scales as a grouped-scale attribute, weight
 * decompression with BF16 compute) against our fused Java kernels on the very same blocks, in the same run, at
 * every token count asked for — including those below the threshold where {@code OneDnnMatrix} keeps the Java
 * kernels, which is how that threshold was chosen. Prints oneDNN's kernel name, the time per product on each side,
 * their ratio and the relative L2 difference of the outputs (the BF16 roundings).
 *
 * <pre>  OneDnnQuantBench [THREADS (2)] [ROUNDS (3)] [TOKENS (1,8,16,128)] [FORMATS (Q8_0,Q4_0,Q4_K)]</pre>
 * One 6144 × 2048 projection per format (the FFN shape), random Gaussian rows quantized by the codec.
 */
public final class OneDnnQuantBench {
    static final int ROWS = 6144, COLS = 2048;

    public static void main(String[] args) throws Exception {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        String[] tokenCounts = (args.length > 2 ? args[2] : "1,8,16,128").split(",");
        String[] formats = (args.length > 3 ? args[3] : "Q8_0,Q4_0,Q4_K").split(",");
        Parallel.setThreads(threads);
        OneDnn dnn = OneDnn.get().orElseThrow(() -> new IllegalStateException("oneDNN did not load: " + OneDnn.unavailableReason()));
        System.out.printf(Locale.ROOT, "threads %d, %s, %s, load average %s%n", threads, VectorWidth.describe(), dnn.description(),
                KernelBench.loadAverage());
        SplittableRandom random = new SplittableRandom(11);
        try (Arena arena = Arena.ofShared()) {
            for (String format : formats) {
                GgmlType type = GgmlType.valueOf(format);
                MemorySegment blocks = QuantKernelBench.blocks(arena, type, ROWS, COLS, random);
                Matrix ours = MatrixFormats.create(type.name(), blocks, ROWS, COLS);
                CompressedWeights compressed = CompressedWeights.of(ours, dnn)
                        .orElseThrow(() -> new IllegalArgumentException(format + " has no compressed layout (Q8_0, Q4_0, Q4_K)"));
                for (String tokens : tokenCounts) {
                    int n = Integer.parseInt(tokens);
                    float[] x = new float[n * COLS];
                    for (int i = 0; i < x.length; i++) x[i] = (float) random.nextGaussian();
                    float[] want = new float[n * ROWS], got = new float[n * ROWS];
                    Runnable java = () -> ours.matmul(x, n, want);
                    Runnable native_ = () -> compressed.matmul(x, n, got);
                    double bestJava = Double.MAX_VALUE, bestNative = Double.MAX_VALUE;
                    for (int r = 0; r < rounds + 1; r++) {   // round 0 warms up (and repacks the weights)
                        double j = time(java), d = time(native_);
                        if (r > 0) {
                            bestJava = Math.min(bestJava, j);
                            bestNative = Math.min(bestNative, d);
                        }
                    }
                    System.out.printf(Locale.ROOT, "%-5s %4d tokens  java %8.3f ms  onednn %8.3f ms  onednn/java speed %5.2fx  rel L2 %.1e  [%s]%n",
                            format, n, bestJava * 1e3, bestNative * 1e3, bestJava / bestNative, relativeL2(got, want),
                            compressed.implementation(n));
                }
            }
        }
        System.out.printf(Locale.ROOT, "load average at end %s%n", KernelBench.loadAverage());
    }

    /** Best seconds per call over repeats filling ~0.3 s. */
    private static double time(Runnable body) {
        body.run();
        long t0 = System.nanoTime();
        int calls = 0;
        double best = Double.MAX_VALUE;
        while (System.nanoTime() - t0 < 300_000_000L || calls < 3) {
            long s = System.nanoTime();
            body.run();
            best = Math.min(best, (System.nanoTime() - s) / 1e9);
            calls++;
        }
        return best;
    }

    private static double relativeL2(float[] a, float[] b) {
        double num = 0, den = 0;
        for (int i = 0; i < a.length; i++) {
            num += (double) (a[i] - b[i]) * (a[i] - b[i]);
            den += (double) b[i] * b[i];
        }
        return Math.sqrt(num / den);
    }
}
