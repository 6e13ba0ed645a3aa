package dev.hymt4j.cli;

import dev.hymt4j.generate.Sampling;
import dev.hymt4j.kv.BlockTable;
import dev.hymt4j.kv.PagedKvCache;
import dev.hymt4j.model.DemoModel;
import dev.hymt4j.model.HunyuanModel;
import dev.hymt4j.model.LayerWeights;
import dev.hymt4j.model.ModelConfig;
import dev.hymt4j.model.ModelWeights;
import dev.hymt4j.model.StepBatch;
import dev.hymt4j.model.StepOutput;
import dev.hymt4j.safetensors.DType;
import dev.hymt4j.quant.BlockMatrix;
import dev.hymt4j.tensor.MappedMatrix;
import dev.hymt4j.tensor.Matrix;
import dev.hymt4j.tensor.Parallel;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code hymt bench}: prefill and decode throughput on a 1.8B-shaped model (random BF16 weights written on
 * demand, or a given directory), per thread count, against a baseline measured in the same run: the time to
 * stream every weight byte a decode step reads once from memory — the floor for a memory-bound decode.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure prefill and decode tokens/s on a 1.8B-shaped model (random BF16 weights unless --model).")
public final class BenchCommand implements Callable<Integer> {
    private static final VectorSpecies<Long> L = LongVector.SPECIES_PREFERRED;

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "DIR|FILE.gguf", description = "Model to measure, a directory or a GGUF file (default: write a random 1.8B-shaped BF16 one).")
    Path model;

    @Option(names = "--work-dir", paramLabel = "DIR", description = "Where to write the random model (default: a temp dir).")
    Path workDir;

    @Option(names = "--keep-model", description = "Keep the random model instead of deleting it afterwards.")
    boolean keepModel;

    @Option(names = "--prompt-tokens", defaultValue = "128", description = "Prefill length (default ${DEFAULT-VALUE}).")
    int promptTokens;

    @Option(names = "--decode-tokens", defaultValue = "16", description = "Decode steps timed (default ${DEFAULT-VALUE}).")
    int decodeTokens;

    @Option(names = "--threads", split = ",", defaultValue = "1,2", description = "Thread counts to measure (default ${DEFAULT-VALUE}).")
    int[] threadCounts;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        out.printf("load average at start: %s%n", loadAverage());
        Path dir = model;
        Path written = null;
        if (dir == null) {
            written = workDir != null ? Files.createDirectories(workDir) : Files.createTempDirectory("hymt-bench");
            dir = written;
            long t0 = System.nanoTime();
            DemoModel.write(dir, DemoModel.Shape.HY_MT_1_8B, DType.BF16, 1);
            out.printf("wrote random 1.8B-shaped BF16 model to %s in %.1f s%n", dir, seconds(System.nanoTime() - t0));
            out.flush();
        }
        try (HunyuanModel m = HunyuanModel.load(dir)) {
            List<MemorySegment> decodeReads = weightsReadPerDecodeStep(m.weights());
            long decodeBytes = decodeReads.stream().mapToLong(MemorySegment::byteSize).sum();
            out.printf("weights read per decode step: %.2f GiB (%s)%n", decodeBytes / (double) (1L << 30),
                    m.weights().embedding().format());
            out.printf("%7s %12s %12s %14s %14s %14s %10s%n", "threads", "prefill t/s", "decode t/s", "decode ms/tok",
                    "stream ms", "decode/stream", "eff. GB/s");
            for (int threads : threadCounts) {
                Parallel.setThreads(threads);
                Row r = measure(m, decodeReads);
                double decodeSeconds = r.decodeNanos / 1e9 / decodeTokens;
                out.printf("%7d %12.2f %12.2f %14.1f %14.1f %14.2f %10.2f%n", threads,
                        promptTokens / (r.prefillNanos / 1e9), 1 / decodeSeconds, decodeSeconds * 1e3,
                        r.streamNanos / 1e6, decodeSeconds * 1e9 / r.streamNanos, decodeBytes / decodeSeconds / 1e9);
                out.flush();
            }
        } finally {
            if (written != null && !keepModel) deleteTree(written);
        }
        out.printf("peak RSS (VmHWM, includes mapped weight pages): %s%n", procStatus("VmHWM"));
        out.printf("load average at end: %s%n", loadAverage());
        return 0;
    }

    private record Row(long prefillNanos, long decodeNanos, long streamNanos) {}

    private Row measure(HunyuanModel m, List<MemorySegment> decodeReads) {
        int vocab = m.config().vocabSize();
        SplittableRandom random = new SplittableRandom(1);
        int[] tokens = java.util.Arrays.copyOf(random.ints(promptTokens, 0, vocab).toArray(), promptTokens + decodeTokens + 1);
        // Warm-up: compile the kernels on a short prompt and a few decode steps.
        Sequence warm = new Sequence(m.config(), 16);
        warm.run(m, tokens, 0, 8);
        for (int i = 0; i < 3; i++) warm.run(m, tokens, 8 + i, 1);
        streamOnce(decodeReads);

        Sequence seq = new Sequence(m.config(), promptTokens + decodeTokens + 1);
        long t0 = System.nanoTime();
        StepOutput out = seq.run(m, tokens, 0, promptTokens);
        long t1 = System.nanoTime();
        for (int i = 0; i < decodeTokens; i++) {
            tokens[promptTokens + i] = Sampling.argmax(out.copyRow(out.row(0)));
            out = seq.run(m, tokens, promptTokens + i, 1);
        }
        long t2 = System.nanoTime();
        long stream = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            long s0 = System.nanoTime();
            streamOnce(decodeReads);
            stream = Math.min(stream, System.nanoTime() - s0);
        }
        return new Row(t1 - t0, t2 - t1, stream);
    }

    /** One sequence with a cache of its own, stepped by hand: prefill, then one token per step. */
    private static final class Sequence {
        final PagedKvCache cache;
        final BlockTable table = new BlockTable();
        final StepBatch batch = new StepBatch();

        Sequence(ModelConfig c, int tokens) {
            cache = new PagedKvCache(c, 16, PagedKvCache.bytesPerToken(c.numLayers(), c.kvDim()) * (tokens + 16), false);
        }

        StepOutput run(HunyuanModel m, int[] tokens, int from, int count) {
            cache.reserve(table, from + count);
            batch.clear();
            batch.add(tokens, from, count, from, table, StepBatch.Logits.LAST, null);
            return m.forward(batch, cache);
        }
    }

    /** Every matrix a decode step reads in full: the layers' projections and the LM head. */
    private static List<MemorySegment> weightsReadPerDecodeStep(ModelWeights w) {
        List<Matrix> matrices = new ArrayList<>();
        for (LayerWeights l : w.layers()) matrices.addAll(List.of(l.q(), l.k(), l.v(), l.o(), l.gate(), l.up(), l.down()));
        matrices.add(w.lmHead());
        return matrices.stream().map(x -> x instanceof BlockMatrix b ? b.segment() : ((MappedMatrix) x).segment()).toList();
    }

    /** Reads every byte once, in parallel 1 MiB blocks, summing longs so that the reads cannot be elided. */
    private static long streamOnce(List<MemorySegment> segments) {
        long total = 0;
        for (MemorySegment s : segments) {
            long block = 1 << 20;
            int blocks = (int) ((s.byteSize() + block - 1) / block);
            long[] sums = new long[blocks];
            Parallel.forRange(blocks, 1, (b0, b1) -> {
                for (int b = b0; b < b1; b++) {
                    long start = b * block, end = Math.min(s.byteSize(), start + block);
                    LongVector acc = LongVector.zero(L);
                    long i = start;
                    for (; i + L.vectorByteSize() <= end; i += L.vectorByteSize()) {
                        acc = acc.add(LongVector.fromMemorySegment(L, s, i, ByteOrder.LITTLE_ENDIAN));
                    }
                    sums[b] = acc.reduceLanes(VectorOperators.ADD);
                }
            });
            for (long x : sums) total += x;
        }
        return total;
    }

    private static String procStatus(String key) throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.isReadable(status)) return "unavailable";
        return Files.readAllLines(status).stream().filter(l -> l.startsWith(key + ":"))
                .map(l -> l.substring(key.length() + 1).trim()).findFirst().orElse("unavailable");
    }

    private static String loadAverage() throws IOException {
        Path p = Path.of("/proc/loadavg");
        return Files.isReadable(p) ? Files.readString(p).trim() : "unavailable";
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
