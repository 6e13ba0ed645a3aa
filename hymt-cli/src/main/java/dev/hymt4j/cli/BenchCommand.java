package dev.hymt4j.cli;

import dev.hymt4j.engine.Engine;
import dev.hymt4j.engine.EngineOptions;
import dev.hymt4j.engine.GenerationRequest;
import dev.hymt4j.engine.RequestHandle;
import dev.hymt4j.generate.GenerationConfig;
import dev.hymt4j.generate.GenerationResult;
import dev.hymt4j.generate.Sampling;
import dev.hymt4j.onednn.TrainingBackend;
import dev.hymt4j.train.LoraStepTimer;
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
import dev.hymt4j.quant.BlockMatrix;
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
 * {@code hymt bench}: the throughput cases a translation user waits for, on a 1.8B-shaped model (random BF16
 * weights written on demand, or a given model), per thread count, each against baselines measured in the same
 * run, with the ratio:
 * <ul>
 *   <li>{@code step} (default): prefill of P tokens and decode of D tokens, B sequences together, driven straight
 *       through the model; baselines: the time to stream every weight byte a decode step reads (the floor of a
 *       memory-bound decode) and llama.cpp's {@code llama-bench} on the same weights;</li>
 *   <li>{@code sentences}: B requests of P prompt + D new tokens (greedy) through the engine end to end, wall time
 *       from submission to the last token; baseline {@code llama-batched-bench};</li>
 *   <li>{@code lora}: a LoRA training step (r 16 on all seven projections) on a batch of B × P tokens; baselines
 *       PyTorch fp32 and bf16 autocast ({@code hymt-bench/scripts/torch_lora_step*.py});</li>
 *   <li>{@code stream}: the memory-stream floor itself, GB/s over the weights a decode step reads.</li>
 * </ul>
 * Outside tools are optional: without them the case prints our figure alone. {@code --json} prints one JSON
 * object per case and thread count on stdout, for scripts (the {@code step} object keeps the stable fields
 * {@code prefill_tokens_per_s}, {@code decode_tokens_per_s}, {@code peak_rss_bytes}).
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure prefill/decode, whole sentences, a LoRA step and the memory floor on a 1.8B-shaped model "
                + "(random BF16 weights unless --model), against llama.cpp and PyTorch run in the same command when given.")
public final class BenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Reads(Reads.Kind.FILE_OR_DIRECTORY)
    @Option(names = "--model", paramLabel = "DIR|FILE.gguf", description = "Model to measure, a directory or a GGUF file (default: write a random 1.8B-shaped BF16 one).")
    Path model;

    @Option(names = "--case", split = ",", paramLabel = "CASE", defaultValue = "step",
            description = "What to measure (comma-separated): step (prefill + decode), sentences (B requests of P + D tokens "
                    + "through the engine), lora (one LoRA training step on B x P tokens), stream (memory floor); default ${DEFAULT-VALUE}.")
    List<String> cases;

    @Bounds(min = 1, max = 1000)
    @Option(names = "--steps", defaultValue = "3", description = "LoRA steps timed, the best counts (default ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--backend", paramLabel = "java|onednn|auto", defaultValue = "java",
            description = "Training backend of the lora case, as hymt train --backend (default ${DEFAULT-VALUE}); onednn also "
                    + "runs the step and sentences cases as translate --backend onednn does (BF16 compute for 16+ tokens).")
    String backend;

    @Reads(Reads.Kind.DIRECTORY)
    @Option(names = "--llama-cpp", paramLabel = "DIR", description = "Folder with llama-bench and llama-batched-bench, "
            + "run in the same command as baselines (default: $LLAMA_CPP_BIN; needs --gguf).")
    Path llamaCpp;

    @Reads(Reads.Kind.FILE)
    @Option(names = "--gguf", paramLabel = "FILE", description = "The same weights as a GGUF file, for llama.cpp.")
    Path gguf;

    @Reads(Reads.Kind.DIRECTORY)
    @Option(names = "--torch-scripts", paramLabel = "DIR", description = "Folder with torch_lora_step.py and torch_lora_step_bf16.py "
            + "(hymt-bench/scripts), the lora case's baselines (default: $HYMT_TORCH_SCRIPTS).")
    Path torchScripts;

    @Reads(Reads.Kind.FILE)
    @Option(names = "--python", paramLabel = "FILE", description = "Python with torch for --torch-scripts (default: $PYTHON, else python3).")
    Path python;

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

    private static final List<String> CASES = List.of("step", "sentences", "lora", "stream");

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (batch < 1 || promptTokens < 1 || decodeTokens < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--batch, --prompt-tokens and --decode-tokens must be ≥ 1");
        }
        for (String c : cases) {
            if (!CASES.contains(c)) throw new CommandLine.ParameterException(spec.commandLine(), "--case: unknown case '" + c + "', expected one of " + CASES);
        }
        TrainingBackend trainingBackend;
        try {
            trainingBackend = TrainingBackend.parse(backend);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--backend: " + e.getMessage());
        }
        // With --json, everything but the JSON objects goes to stderr, so that stdout parses as JSON lines.
        PrintWriter log = json ? spec.commandLine().getErr() : out;
        log.printf("load average at start: %s%n", loadAverage());
        BenchBaselines baselines = new BenchBaselines(orEnv(llamaCpp, "LLAMA_CPP_BIN"), gguf, orEnv(torchScripts, "HYMT_TORCH_SCRIPTS"),
                python != null ? python : Path.of(System.getenv().getOrDefault("PYTHON", "python3")), log);
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
            // The formats of the matrices a decode step reads, most bytes first (a Q4_K_M file is mostly Q4_K, some Q6_K).
            String format = formats(m.weights());
            log.printf("weights read per decode step: %.2f GiB (%s), batch %d, %s; baselines: %s%n", decodeBytes / (double) (1L << 30),
                    format, batch, VectorWidth.describe(), describe(baselines));
            // step and sentences: the engine as translate --backend runs it (onednn: BF16 compute from 16 tokens)
            HunyuanModel inference = m;
            if (trainingBackend == TrainingBackend.ONEDNN && (cases.contains("step") || cases.contains("sentences"))) {
                TrainingBackend.Choice choice = TrainingBackend.ONEDNN.choose(m.weights());
                log.println("step/sentences " + choice.line().replace("training backend", "inference backend"));
                inference = new HunyuanModel(choice.weights());
            }
            for (String c : cases) {
                for (int threads : threadCounts) {
                    Parallel.setThreads(threads);
                    Map<String, Object> o = new LinkedHashMap<>();
                    o.put("case", c);
                    o.put("model", dir.toString());
                    o.put("format", format);
                    o.put("threads", threads);
                    o.put("batch", batch);
                    o.put("prompt_tokens", promptTokens);
                    o.put("decode_tokens", decodeTokens);
                    switch (c) {
                        case "step" -> step(inference, decodeReads, baselines, threads, o);
                        case "sentences" -> sentences(inference, baselines, threads, o);
                        case "lora" -> lora(m, trainingBackend, baselines, threads, o, log);
                        default -> stream(decodeReads, decodeBytes, o);
                    }
                    o.put("peak_rss_bytes", peakRssBytes());
                    o.put("vector_bits", VectorWidth.BITS);
                    o.put("load_average", loadAverage());
                    if (json) out.println(new ObjectMapper().writeValueAsString(o));
                    else printRow(out, o, decodeBytes);
                    out.flush();
                }
            }
        } finally {
            if (written != null && !keepModel) deleteTree(written);
        }
        log.printf("peak RSS (VmHWM, includes mapped weight pages): %s%n", procStatus("VmHWM"));
        log.printf("load average at end: %s%n", loadAverage());
        return 0;
    }

    private static Path orEnv(Path given, String variable) {
        String env = System.getenv(variable);
        return given != null ? given : env == null || env.isBlank() ? null : Path.of(env);
    }

    private static String describe(BenchBaselines b) {
        List<String> parts = new ArrayList<>(List.of("stream floor"));
        if (b.hasLlamaCpp()) parts.add("llama.cpp");
        if (b.hasTorch()) parts.add("PyTorch");
        return String.join(", ", parts);
    }

    /** Prefill P tokens and decode D tokens for B sequences, then llama-bench (batch 1 only) on the same shape. */
    private void step(HunyuanModel m, List<MemorySegment> decodeReads, BenchBaselines baselines, int threads, Map<String, Object> o) {
        Row r = measure(m, decodeReads);
        double stepSeconds = r.decodeNanos / 1e9 / decodeTokens;
        double prefill = batch * promptTokens / (r.prefillNanos / 1e9), decode = batch / stepSeconds;
        o.put("prefill_tokens_per_s", prefill);
        o.put("decode_tokens_per_s", decode);
        o.put("decode_step_ms", stepSeconds * 1e3);
        o.put("stream_floor_ms", r.streamNanos / 1e6);
        o.put("floor_fraction", r.streamNanos / 1e9 / stepSeconds);
        double[] llama = batch == 1 ? baselines.llamaBench(threads, promptTokens, decodeTokens) : null;
        if (llama != null) {
            o.put("llama_cpp_prefill_tokens_per_s", llama[0]);
            o.put("llama_cpp_decode_tokens_per_s", llama[1]);
            o.put("prefill_ratio", prefill / llama[0]);
            o.put("decode_ratio", decode / llama[1]);
        }
    }

    /** B requests of P + D tokens through the engine (after a warm-up request of that shape), then llama-batched-bench. */
    private void sentences(HunyuanModel m, BenchBaselines baselines, int threads, Map<String, Object> o) {
        int vocab = m.config().vocabSize();
        int[] prompt = new SplittableRandom(1).ints(promptTokens, 0, vocab).toArray();
        GenerationConfig greedy = GenerationConfig.builder().greedy().maxNewTokens(decodeTokens).build();
        try (Engine engine = new Engine(m, EngineOptions.DEFAULTS)) {
            // Warm-up: one request of the same shape with another prompt (no prefix to reuse), so that the kernels are compiled.
            int[] other = new SplittableRandom(2).ints(promptTokens, 0, vocab).toArray();
            engine.complete(List.of(engine.submit(new GenerationRequest(other, greedy, null, null))));
            List<RequestHandle> handles = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int b = 0; b < batch; b++) {
                int[] p = new int[promptTokens];
                for (int i = 0; i < promptTokens; i++) p[i] = prompt[(i + b) % promptTokens];   // rotated: no shared prefix
                handles.add(engine.submit(new GenerationRequest(p, greedy, null, null)));
            }
            List<GenerationResult> results = engine.complete(handles);
            double wall = (System.nanoTime() - t0) / 1e9;
            long generated = results.stream().mapToLong(GenerationResult::generatedTokens).sum();
            o.put("seconds", wall);
            o.put("generated_tokens", generated);
            o.put("tokens_per_s", (batch * (long) promptTokens + generated) / wall);
        }
        double llama = baselines.llamaBatchedSeconds(threads, batch, promptTokens, decodeTokens);
        if (!Double.isNaN(llama)) {
            o.put("llama_cpp_seconds", llama);
            o.put("time_ratio", (double) o.get("seconds") / llama);
        }
    }

    /** A LoRA step on B × P tokens (best of --steps), then PyTorch's fp32 and bf16-autocast steps on the same shape. */
    private void lora(HunyuanModel m, TrainingBackend trainingBackend, BenchBaselines baselines, int threads, Map<String, Object> o,
                      PrintWriter log) {
        TrainingBackend.Choice choice = trainingBackend.choose(m.weights());
        log.println(choice.line());
        LoraStepTimer.Result r = LoraStepTimer.time(choice.weights(), batch, promptTokens, false, steps);
        o.put("backend", choice.backend().configName());
        o.put("step_s", r.bestSeconds());
        o.put("steps_s", r.stepSeconds());
        o.put("cpu_s", r.cpuSeconds());
        o.put("tokens_per_s", r.tokensPerSecond());
        int layers = m.config().numLayers();
        double fp32 = baselines.torchStepSeconds(false, layers, batch, promptTokens, steps, threads);
        double bf16 = baselines.torchStepSeconds(true, layers, batch, promptTokens, steps, threads);
        if (!Double.isNaN(fp32)) {
            o.put("torch_fp32_step_s", fp32);
            o.put("speedup_vs_torch_fp32", fp32 / r.bestSeconds());
        }
        if (!Double.isNaN(bf16)) {
            o.put("torch_bf16_step_s", bf16);
            o.put("speedup_vs_torch_bf16", bf16 / r.bestSeconds());
        }
    }

    /** Streams the weights of a decode step (best of 5). */
    private static void stream(List<MemorySegment> decodeReads, long bytes, Map<String, Object> o) {
        MemoryStream.readAll(decodeReads);
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            long s0 = System.nanoTime();
            MemoryStream.readAll(decodeReads);
            best = Math.min(best, System.nanoTime() - s0);
        }
        o.put("stream_floor_ms", best / 1e6);
        o.put("stream_gb_per_s", bytes / (double) best);
    }

    /** One human-readable line: our figure, each same-run baseline, the ratio (> 1: we are faster). */
    private static void printRow(PrintWriter out, Map<String, Object> o, long decodeBytes) {
        String head = String.format("%-9s %2d thr  ", o.get("case"), (int) o.get("threads"));
        switch ((String) o.get("case")) {
            case "step" -> {
                double step = (double) o.get("decode_step_ms");
                out.printf("%sprefill %d×%d: %.2f t/s%s%n", head, (int) o.get("batch"), (int) o.get("prompt_tokens"),
                        (double) o.get("prefill_tokens_per_s"), vs(o, "llama_cpp_prefill_tokens_per_s", "llama-bench", "prefill_ratio", " t/s"));
                out.printf("%sdecode  %d×%d: %.2f t/s (%.1f ms/step, %.2f GB/s); stream floor %.1f ms → %.2f of the floor%s%n", head,
                        (int) o.get("batch"), (int) o.get("decode_tokens"), (double) o.get("decode_tokens_per_s"), step,
                        decodeBytes / step / 1e6, (double) o.get("stream_floor_ms"), (double) o.get("floor_fraction"),
                        vs(o, "llama_cpp_decode_tokens_per_s", "llama-bench", "decode_ratio", " t/s"));
            }
            case "sentences" -> out.printf("%s%d × (%d + %d) tokens through the engine: %.2f s%s%n", head, (int) o.get("batch"),
                    (int) o.get("prompt_tokens"), (int) o.get("decode_tokens"), (double) o.get("seconds"),
                    o.containsKey("llama_cpp_seconds") ? String.format("; llama-batched-bench %.2f s, time ratio %.2f (< 1: faster)",
                            (double) o.get("llama_cpp_seconds"), (double) o.get("time_ratio")) : "");
            case "lora" -> out.printf("%sLoRA step %d×%d (%s): %.2f s (%.1f t/s)%s%s%n", head, (int) o.get("batch"), (int) o.get("prompt_tokens"),
                    o.get("backend"), (double) o.get("step_s"), (double) o.get("tokens_per_s"),
                    o.containsKey("torch_fp32_step_s") ? String.format("; PyTorch fp32 %.2f s → %.2f×", (double) o.get("torch_fp32_step_s"),
                            (double) o.get("speedup_vs_torch_fp32")) : "",
                    o.containsKey("torch_bf16_step_s") ? String.format("; PyTorch bf16 autocast %.2f s → %.2f×", (double) o.get("torch_bf16_step_s"),
                            (double) o.get("speedup_vs_torch_bf16")) : "");
            default -> out.printf("%smemory stream over %.2f GB: %.1f ms, %.2f GB/s (no outside baseline)%n", head, decodeBytes / 1e9,
                    (double) o.get("stream_floor_ms"), (double) o.get("stream_gb_per_s"));
        }
    }

    private static String vs(Map<String, Object> o, String key, String tool, String ratioKey, String unit) {
        return o.containsKey(key) ? String.format("; %s %.2f%s → %.2f×", tool, (double) o.get(key), unit, (double) o.get(ratioKey)) : "";
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
        // Warm-up: the whole prompt and a few decode steps, so that the timed run finds every kernel of these
        // shapes compiled by C2 (a first prefill of P tokens otherwise runs partly in the interpreter).
        Sequences warm = new Sequences(m.config(), batch, promptTokens + 4);
        warm.run(m, tokens, 0, promptTokens);
        for (int i = 0; i < 3; i++) warm.run(m, tokens, promptTokens + i, 1);
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

    private static String formats(ModelWeights w) {
        Map<String, Long> bytes = new LinkedHashMap<>();
        for (Matrix x : decodeMatrices(w)) bytes.merge(x.format(), segments(x).mapToLong(MemorySegment::byteSize).sum(), Long::sum);
        return String.join("+", bytes.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .map(Map.Entry::getKey).toList());
    }

    private static List<Matrix> decodeMatrices(ModelWeights w) {
        List<Matrix> matrices = new ArrayList<>();
        for (LayerWeights l : w.layers()) matrices.addAll(List.of(l.q(), l.k(), l.v(), l.o(), l.gate(), l.up(), l.down()));
        matrices.add(w.lmHead());
        return matrices;
    }

    private static Stream<MemorySegment> segments(Matrix x) {
        return switch (x) {
            case GptqMatrix g -> Stream.of(g.qweight(), g.qzeros(), g.scales());
            case BlockMatrix b -> Stream.of(b.segment());
            default -> Stream.of(((MappedMatrix) x).segment());
        };
    }

    /** Every matrix a decode step reads in full: the layers' projections and the LM head. */
    private static List<MemorySegment> weightsReadPerDecodeStep(ModelWeights w) {
        return decodeMatrices(w).stream().flatMap(BenchCommand::segments).toList();
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
