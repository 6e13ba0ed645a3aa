package dev.hymt4j.cli;

import dev.hymt4j.generate.Sampling;
import dev.hymt4j.io.AtomicDirectory;
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
import dev.hymt4j.quant.GptqMatrix;
import dev.hymt4j.tensor.MappedMatrix;
import dev.hymt4j.tensor.Matrix;
import dev.hymt4j.tensor.MemoryStream;
import dev.hymt4j.tensor.Parallel;
import dev.hymt4j.tensor.VectorWidth;
import com.fasterxml.jackson.databind.ObjectMapper;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code hymt bench}: prefill and decode throughput on a 1.8B-shaped model (random BF16 weights written on
 * demand, or a given directory), per thread count, against a baseline measured in the same run: the time to
 * stream every weight byte a decode step reads once from memory — the floor for a memory-bound decode.
 * {@code --batch B} prefills B prompts and decodes B sequences together (rates are totals); {@code --json}
 * prints one JSON object per thread count on stdout, for scripts.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure prefill and decode tokens/s on a 1.8B-shaped model (random BF16 weights unless --model).")
public final class BenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Reads(Reads.Kind.DIRECTORY)
    @Option(names = "--model", paramLabel = "DIR", description = "Model to measure (default: write a random 1.8B-shaped BF16 one).")
    Path model;

    @Writes(Writes.Kind.DIRECTORY)
    @Option(names = "--work-dir", paramLabel = "DIR", description = "Where to write the random model (default: a temp dir).")
    Path workDir;

    @picocli.CommandLine.Mixin
    ForceOption force;

    @Option(names = "--keep-model", description = "Keep the random model instead of deleting it afterwards.")
    boolean keepModel;

    @Bounds(min = 1)
    @Option(names = "--prompt-tokens", defaultValue = "128", description = "Prefill length (default ${DEFAULT-VALUE}).")
    int promptTokens;

    @Bounds(min = 1)
    @Option(names = "--decode-tokens", defaultValue = "16", description = "Decode steps timed (default ${DEFAULT-VALUE}).")
    int decodeTokens;

    @Bounds(min = 1, max = 4096)
    @Option(names = "--threads", split = ",", defaultValue = "1,2", description = "Thread counts to measure (default ${DEFAULT-VALUE}).")
    int[] threadCounts;

    @Bounds(min = 1, max = 4096)
    @Option(names = "--batch", defaultValue = "1", description = "Sequences prefilled and decoded together; rates are totals over them (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--json", description = "Print one JSON object per thread count (prefill_tokens_per_s, decode_tokens_per_s, peak_rss_bytes, ...) instead of the table.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (batch < 1 || promptTokens < 1 || decodeTokens < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--batch, --prompt-tokens and --decode-tokens must be ≥ 1");
        }
        // With --json, everything but the JSON objects goes to stderr, so that stdout parses as JSON lines.
        PrintWriter log = json ? spec.commandLine().getErr() : out;
        log.printf("load average at start: %s%n", loadAverage());
        Path dir = model;
        Path written = null;
        if (dir == null) {
            if (workDir != null && force.force) AtomicDirectory.discard(workDir);
            written = workDir != null ? Files.createDirectories(workDir) : Files.createTempDirectory("hymt-bench");
            dir = written;
            long t0 = System.nanoTime();
            DemoModel.write(dir, DemoModel.Shape.HY_MT_1_8B, DType.BF16, 1);
            log.printf("wrote random 1.8B-shaped BF16 model to %s in %.1f s%n", dir, seconds(System.nanoTime() - t0));
            log.flush();
        }
        try (HunyuanModel m = HunyuanModel.load(dir)) {
            List<MemorySegment> decodeReads = weightsReadPerDecodeStep(m.weights());
            long decodeBytes = decodeReads.stream().mapToLong(MemorySegment::byteSize).sum();
            String format = m.weights().embedding().format();
            log.printf("weights read per decode step: %.2f GiB (%s), batch %d, %s%n", decodeBytes / (double) (1L << 30),
                    format, batch, VectorWidth.describe());
            if (!json) {
                out.printf("%7s %12s %12s %14s %14s %14s %10s%n", "threads", "prefill t/s", "decode t/s", "decode ms/step",
                        "stream ms", "step/stream", "eff. GB/s");
            }
            for (int threads : threadCounts) {
                Parallel.setThreads(threads);
                Row r = measure(m, decodeReads);
                double stepSeconds = r.decodeNanos / 1e9 / decodeTokens;
                double prefillRate = batch * promptTokens / (r.prefillNanos / 1e9), decodeRate = batch / stepSeconds;
                if (json) {
                    Map<String, Object> o = new LinkedHashMap<>();
                    o.put("model", dir.toString());
                    o.put("format", format);
                    o.put("threads", threads);
                    o.put("batch", batch);
                    o.put("prompt_tokens", promptTokens);
                    o.put("decode_tokens", decodeTokens);
                    o.put("prefill_tokens_per_s", prefillRate);
                    o.put("decode_tokens_per_s", decodeRate);
                    o.put("decode_step_ms", stepSeconds * 1e3);
                    o.put("stream_floor_ms", r.streamNanos / 1e6);
                    o.put("peak_rss_bytes", peakRssBytes());
                    o.put("vector_bits", VectorWidth.BITS);
                    o.put("load_average", loadAverage());
                    out.println(new ObjectMapper().writeValueAsString(o));
                } else {
                    out.printf("%7d %12.2f %12.2f %14.1f %14.1f %14.2f %10.2f%n", threads, prefillRate, decodeRate, stepSeconds * 1e3,
                            r.streamNanos / 1e6, stepSeconds * 1e9 / r.streamNanos, decodeBytes / stepSeconds / 1e9);
                }
                out.flush();
            }
        } finally {
            if (written != null && !keepModel) deleteTree(written);
        }
        log.printf("peak RSS (VmHWM, includes mapped weight pages): %s%n", procStatus("VmHWM"));
        log.printf("load average at end: %s%n", loadAverage());
        return 0;
    }

    private record Row(long prefillNanos, long decodeNanos, long streamNanos) {}

    private Row measure(HunyuanModel m, List<MemorySegment> decodeReads) {
        int vocab = m.config().vocabSize();
        SplittableRandom random = new SplittableRandom(1);
        // Sequence b's prompt is the random prompt rotated by b, so that the sequences differ.
        int[] prompt = random.ints(promptTokens, 0, vocab).toArray();
        int[][] tokens = new int[batch][promptTokens + decodeTokens + 1];
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < promptTokens; i++) tokens[b][i] = prompt[(i + b) % promptTokens];
        }
        // Warm-up: compile the kernels on a short prompt and a few decode steps.
        Sequences warm = new Sequences(m.config(), batch, Math.min(promptTokens, 8) + 4);
        int w = Math.min(promptTokens, 8);
        warm.run(m, tokens, 0, w);
        for (int i = 0; i < 3; i++) warm.run(m, tokens, w + i, 1);
        MemoryStream.readAll(decodeReads);

        Sequences seqs = new Sequences(m.config(), batch, promptTokens + decodeTokens + 1);
        long t0 = System.nanoTime();
        StepOutput out = seqs.run(m, tokens, 0, promptTokens);
        long t1 = System.nanoTime();
        for (int i = 0; i < decodeTokens; i++) {
            for (int b = 0; b < batch; b++) tokens[b][promptTokens + i] = Sampling.argmax(out.copyRow(out.row(b)));
            out = seqs.run(m, tokens, promptTokens + i, 1);
        }
        long t2 = System.nanoTime();
        long stream = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            long s0 = System.nanoTime();
            MemoryStream.readAll(decodeReads);
            stream = Math.min(stream, System.nanoTime() - s0);
        }
        return new Row(t1 - t0, t2 - t1, stream);
    }

    /** {@code count} sequences in one cache, stepped together by hand: prefill, then one token each per step. */
    private static final class Sequences {
        final PagedKvCache cache;
        final BlockTable[] tables;
        final StepBatch batch = new StepBatch();

        Sequences(ModelConfig c, int count, int tokens) {
            cache = new PagedKvCache(c, 16, PagedKvCache.bytesPerToken(c.numLayers(), c.kvDim()) * count * (tokens + 16L), false);
            tables = new BlockTable[count];
            for (int b = 0; b < count; b++) tables[b] = new BlockTable();
        }

        StepOutput run(HunyuanModel m, int[][] tokens, int from, int count) {
            batch.clear();
            for (int b = 0; b < tables.length; b++) {
                cache.reserve(tables[b], from + count);
                batch.add(tokens[b], from, count, from, tables[b], StepBatch.Logits.LAST, null);
            }
            return m.forward(batch, cache);
        }
    }

    /** Every matrix a decode step reads in full: the layers' projections and the LM head. */
    private static List<MemorySegment> weightsReadPerDecodeStep(ModelWeights w) {
        List<Matrix> matrices = new ArrayList<>();
        for (LayerWeights l : w.layers()) matrices.addAll(List.of(l.q(), l.k(), l.v(), l.o(), l.gate(), l.up(), l.down()));
        matrices.add(w.lmHead());
        return matrices.stream().flatMap(x -> x instanceof GptqMatrix g ? java.util.stream.Stream.of(g.qweight(), g.qzeros(), g.scales())
                : java.util.stream.Stream.of(((MappedMatrix) x).segment())).toList();
    }


    /** VmHWM in bytes (-1 where /proc is unavailable). */
    private static long peakRssBytes() throws IOException {
        String hwm = procStatus("VmHWM");
        return hwm.endsWith("kB") ? Long.parseLong(hwm.replaceAll("\\D", "")) * 1024 : -1;
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
