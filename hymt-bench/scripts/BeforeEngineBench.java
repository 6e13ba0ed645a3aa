import dev.hymt4j.generate.GenerationConfig;
import dev.hymt4j.generate.GenerationResult;
import dev.hymt4j.generate.Generator;
import dev.hymt4j.generate.TokenListener;
import dev.hymt4j.model.HunyuanModel;
import dev.hymt4j.tensor.Parallel;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The engine as it was before issue 8 (main at b4e5146: rectangular batches over one {@code KvCache}, the
 * static-batch {@code Generator}), measured exactly as {@code dev.hymt4j.bench.EngineBench} measures the engine
 * of today, so that {@code engine-before-after.sh} can print ratios. It compiles only against that commit's
 * CLI jar, which is why it lives here and not in the module's sources:
 *
 * <pre>
 *   java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp OLD/hymt.jar BeforeEngineBench.java \
 *        MODEL_DIR THREADS PROMPT_TOKENS DECODE_TOKENS BATCH[,BATCH...] [RUNS]
 * </pre>
 * Per batch size B: the same B random prompts as EngineBench (SplittableRandom(B), PROMPT_TOKENS each), greedy,
 * no stop ids, one {@code Generator.generate} call; prefill tokens/s = B · P over the prefill pass, decode
 * tokens/s = B · (D − 1) over the decode passes, allocation per decoded token = all threads'
 * {@code ThreadMXBean.getThreadAllocatedBytes} between sequence 0's 2nd and D-th token over B · (D − 2). One
 * warm-up run of each shape (all before any is measured), then RUNS (default 1) measured runs, the best figure of
 * each kept.
 */
public final class BeforeEngineBench {
    public static void main(String[] args) throws Exception {
        if (args.length != 5 && args.length != 6) {
            System.err.println("usage: BeforeEngineBench MODEL_DIR THREADS PROMPT_TOKENS DECODE_TOKENS BATCH[,BATCH...] [RUNS]");
            System.exit(2);
        }
        int threads = Integer.parseInt(args[1]), prompt = Integer.parseInt(args[2]), decode = Integer.parseInt(args[3]);
        int runs = args.length == 6 ? Integer.parseInt(args[5]) : 1;
        Parallel.setThreads(threads);
        try (HunyuanModel model = HunyuanModel.load(Path.of(args[0]))) {
            Generator generator = new Generator(model);
            int[] batches = java.util.Arrays.stream(args[4].split(",")).mapToInt(Integer::parseInt).toArray();
            for (int batch : batches) run(generator, model, prompt, decode, batch);   // every size warms up first
            for (int batch : batches) {
                double[] best = run(generator, model, prompt, decode, batch);
                for (int i = 1; i < runs; i++) {
                    double[] r = run(generator, model, prompt, decode, batch);
                    best = new double[]{Math.max(best[0], r[0]), Math.max(best[1], r[1]), Math.min(best[2], r[2])};
                }
                System.out.printf("RESULT impl=before threads=%d batch=%d prompt=%d decode=%d prefill_tok_s=%.2f decode_tok_s=%.2f"
                        + " alloc_bytes_per_token=%.0f%n", threads, batch, prompt, decode, best[0], best[1], best[2]);
            }
        }
    }

    /** {prefill tokens/s, decode tokens/s, bytes allocated per decoded token}. */
    static double[] run(Generator generator, HunyuanModel model, int promptTokens, int decodeTokens, int batch) {
        SplittableRandom rng = new SplittableRandom(batch);
        List<int[]> prompts = new ArrayList<>();
        for (int i = 0; i < batch; i++) prompts.add(rng.ints(promptTokens, 0, model.config().vocabSize()).toArray());
        GenerationConfig greedy = GenerationConfig.builder().greedy().maxNewTokens(decodeTokens).stopTokenIds(Set.of()).build();
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long[] ids = mx.getAllThreadIds();   // the pool's workers exist after the warm-up run
        long[] snapshot = new long[2];   // all threads at sequence 0's 2nd token, at its last
        int[] seen = {0};
        TokenListener listener = (sequence, token) -> {
            if (sequence != 0) return;
            seen[0]++;
            if (seen[0] == 2 || seen[0] == decodeTokens) snapshot[seen[0] == 2 ? 0 : 1] = sum(mx.getThreadAllocatedBytes(ids));
        };
        GenerationResult r = generator.generate(prompts, greedy, listener).getFirst();
        long decoded = (long) batch * (decodeTokens - 1), between = (long) batch * (decodeTokens - 2);
        return new double[]{batch * promptTokens / (r.prefillNanos() / 1e9), decoded / (r.decodeNanos() / 1e9),
                (snapshot[1] - snapshot[0]) / (double) between};
    }

    private static long sum(long[] values) {
        long s = 0;
        for (long v : values) if (v > 0) s += v;
        return s;
    }
}
