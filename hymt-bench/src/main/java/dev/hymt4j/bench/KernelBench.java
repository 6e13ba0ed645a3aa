package dev.hymt4j.bench;

import dev.hymt4j.onednn.OneDnn;
import dev.hymt4j.onednn.OneDnnMatrix;
import dev.hymt4j.safetensors.DType;
import dev.hymt4j.tensor.MappedMatrix;
import dev.hymt4j.tensor.Matrix;
import dev.hymt4j.tensor.MemoryStream;
import dev.hymt4j.tensor.Parallel;
import dev.hymt4j.tensor.VectorWidth;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * The BF16 kernels on the HY-MT1.5-1.8B shapes, new ({@link MappedMatrix}) against the previous kernels
 * ({@link LegacyBf16Matrix}) and the memory-stream floor, all in one JVM, rounds interleaved, best of each.
 *
 * <pre>  KernelBench [THREADS (2)] [LAYERS (8)] [ROUNDS (5)] [CASE NAME FILTER]</pre>
 * Decode runs one token through LAYERS layers' seven projections plus the 120818-row head (random BF16 weights
 * off-heap, more than the caches hold); prefill, batched decode and {@code g·W} run one layer's projections.
 * With oneDNN loadable, its BF16-compute products are measured against the Java kernels too. Each line gives
 * the wall-time ratio and the process-CPU-time ratio (steadier when the host is shared).
 */
public final class KernelBench {
    static final int HIDDEN = 2048, Q = 2048, KV = 512, FF = 6144, VOCAB = 120818;

    record Case(String name, double work, String unit, String oursLabel, Runnable ours, String baseLabel, Runnable legacy, Runnable floor) {
        Case(String name, double work, String unit, Runnable ours, Runnable legacy, Runnable floor) {
            this(name, work, unit, "ours", ours, "legacy", legacy, floor);
        }
    }

    public static void main(String[] args) throws Exception {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int layers = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        String only = args.length > 3 ? args[3] : "";
        Parallel.setThreads(threads);
        System.out.printf(Locale.ROOT, "threads %d, %s, load average %s%n", threads, VectorWidth.describe(), loadAverage());
        Arena arena = Arena.ofShared();
        SplittableRandom random = new SplittableRandom(3);
        int[][] layerShapes = {{Q, HIDDEN}, {KV, HIDDEN}, {KV, HIDDEN}, {HIDDEN, Q}, {FF, HIDDEN}, {FF, HIDDEN}, {HIDDEN, FF}};
        List<MemorySegment> segments = new ArrayList<>();
        List<int[]> shapes = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            for (int[] s : layerShapes) {
                segments.add(randomBf16(arena, (long) s[0] * s[1], random));
                shapes.add(s);
            }
        }
        segments.add(randomBf16(arena, (long) VOCAB * HIDDEN, random));
        shapes.add(new int[]{VOCAB, HIDDEN});
        long bytes = segments.stream().mapToLong(MemorySegment::byteSize).sum();
        System.out.printf(Locale.ROOT, "decode set: %d layers + head, %.2f GB BF16%n", layers, bytes / 1e9);

        Matrix[] ours = new Matrix[segments.size()], legacy = new Matrix[segments.size()];
        for (int i = 0; i < ours.length; i++) {
            int[] s = shapes.get(i);
            ours[i] = new MappedMatrix(segments.get(i), DType.BF16, s[0], s[1]);
            legacy[i] = new LegacyBf16Matrix(segments.get(i), s[0], s[1]);
        }
        Matrix[] oursLayer = Arrays.copyOf(ours, 7), legacyLayer = Arrays.copyOf(legacy, 7);
        double layerFlopsPerToken = 0;
        for (int[] s : layerShapes) layerFlopsPerToken += 2.0 * s[0] * s[1];

        List<Case> cases = new ArrayList<>();
        cases.add(new Case("decode GEMV, 1 token, all matrices", bytes / 1e9, "GB/s",
                () -> pass(ours, 1, false), () -> pass(legacy, 1, false), () -> MemoryStream.readAll(segments)));
        cases.add(new Case("head GEMV only (120818 x 2048)", segments.getLast().byteSize() / 1e9, "GB/s",
                () -> pass(new Matrix[]{ours[ours.length - 1]}, 1, false), () -> pass(new Matrix[]{legacy[legacy.length - 1]}, 1, false),
                () -> MemoryStream.readAll(List.of(segments.getLast()))));
        for (int n : new int[]{2, 4, 8, 16}) {
            cases.add(new Case("batched decode, " + n + " tokens, all matrices", n, "tok/s",
                    () -> pass(ours, n, false), () -> pass(legacy, n, false), null));
        }
        cases.add(new Case("prefill GEMM, 128 tokens, one layer", 128 * layerFlopsPerToken / 1e9, "GFLOP/s",
                () -> pass(oursLayer, 128, false), () -> pass(legacyLayer, 128, false), null));
        cases.add(new Case("g·W (backward), 128 tokens, one layer", 128 * layerFlopsPerToken / 1e9, "GFLOP/s",
                () -> pass(oursLayer, 128, true), () -> pass(legacyLayer, 128, true), null));

        Optional<OneDnn> dnn = OneDnn.get();
        if (dnn.isPresent()) {
            System.out.println(dnn.get().description());
            Matrix[] dnnLayer = Arrays.stream(oursLayer).map(m -> OneDnnMatrix.wrap(m, dnn.get())).toArray(Matrix[]::new);
            cases.add(new Case("oneDNN bf16 prefill, 128 tokens, one layer", 128 * layerFlopsPerToken / 1e9, "GFLOP/s",
                    "onednn", () -> pass(dnnLayer, 128, false), "java", () -> pass(oursLayer, 128, false), null));
            cases.add(new Case("oneDNN bf16 g·W, 128 tokens, one layer", 128 * layerFlopsPerToken / 1e9, "GFLOP/s",
                    "onednn", () -> pass(dnnLayer, 128, true), "java", () -> pass(oursLayer, 128, true), null));
        }
        for (Case c : cases) {
            if (!c.name().contains(only)) continue;
            double ours1 = Double.MAX_VALUE, legacy1 = Double.MAX_VALUE, floor1 = Double.MAX_VALUE;
            double oursCpu = Double.MAX_VALUE, legacyCpu = Double.MAX_VALUE;
            c.ours().run();
            c.legacy().run();
            for (int r = 0; r < rounds; r++) {
                double[] o = time(c.ours()), l = time(c.legacy());
                ours1 = Math.min(ours1, o[0]);
                oursCpu = Math.min(oursCpu, o[1]);
                legacy1 = Math.min(legacy1, l[0]);
                legacyCpu = Math.min(legacyCpu, l[1]);
                if (c.floor() != null) floor1 = Math.min(floor1, time(c.floor())[0]);
            }
            System.out.printf(Locale.ROOT, "%-42s %s %8.2f %-7s %s %8.2f  ratio %5.2fx", c.name(), c.oursLabel(), c.work() / ours1, c.unit(),
                    c.baseLabel(), c.work() / legacy1, legacy1 / ours1);
            System.out.printf(Locale.ROOT, "  cpu-time ratio %5.2fx", legacyCpu / oursCpu);
            if (c.floor() != null) System.out.printf(Locale.ROOT, "  stream floor %6.2f GB/s (ours at %.2f of it)", c.work() / floor1, floor1 / ours1);
            System.out.println();
        }
        System.out.printf(Locale.ROOT, "load average at end %s%n", loadAverage());
    }

    private static final ThreadLocal<float[][]> BUFFERS = ThreadLocal.withInitial(() -> new float[2][]);

    /** Every matrix once: {@code out = x·Wᵀ} (or {@code out += g·W}) for n random tokens. */
    static void pass(Matrix[] matrices, int n, boolean transposed) {
        float[][] buf = BUFFERS.get();
        int need = n * Math.max(FF, VOCAB);
        if (buf[0] == null || buf[0].length < need) {
            buf[0] = new float[need];
            buf[1] = new float[need];
            Arrays.fill(buf[0], 0.01f);
        }
        for (Matrix m : matrices) {
            if (transposed) m.matmulTransposedAccumulate(buf[0], n, buf[1]);
            else m.matmul(buf[0], n, buf[1]);
        }
    }

    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();

    /**
     * Wall seconds and this process's CPU seconds (all its threads, native ones included). On a shared host the
     * CPU time of a fixed amount of work varies far less with the neighbours' load than the wall time does.
     */
    static double[] time(Runnable r) {
        long c0 = OS.getProcessCpuTime(), t0 = System.nanoTime();
        r.run();
        return new double[]{(System.nanoTime() - t0) / 1e9, (OS.getProcessCpuTime() - c0) / 1e9};
    }


    /** Random BF16 values of magnitude 2⁻⁸…2 (no infinities or NaNs), four per long. */
    static MemorySegment randomBf16(Arena arena, long count, SplittableRandom random) {
        MemorySegment s = arena.allocate(count * 2, 64);
        for (long i = 0; i < count / 4; i++) {
            long r = random.nextLong(), v = 0;
            for (int k = 0; k < 4; k++) {
                long bits = ((r >>> (16 * k)) & 0x807F) | ((119L + ((r >>> (16 * k + 7)) & 7)) << 7);
                v |= bits << (16 * k);
            }
            s.setAtIndex(ValueLayout.JAVA_LONG_UNALIGNED, i, v);
        }
        return s;
    }

    static String loadAverage() throws Exception {
        Path p = Path.of("/proc/loadavg");
        return Files.isReadable(p) ? Files.readString(p).trim() : "unavailable";
    }
}
