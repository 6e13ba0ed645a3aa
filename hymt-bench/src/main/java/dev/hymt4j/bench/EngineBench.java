package dev.hymt4j.bench;

import dev.hymt4j.engine.Engine;
import dev.hymt4j.engine.EngineOptions;
import dev.hymt4j.engine.GenerationRequest;
import dev.hymt4j.engine.RequestHandle;
import dev.hymt4j.generate.GenerationConfig;
import dev.hymt4j.generate.GenerationResult;
import dev.hymt4j.generate.TokenListener;
import dev.hymt4j.model.HunyuanModel;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Generation throughput of the engine and its allocation per decoded token, for the closing note of issue 8.
 *
 * <pre>
 *   EngineBench MODEL_DIR THREADS PROMPT_TOKENS DECODE_TOKENS BATCH[,BATCH...] [RUNS] [sample]
 * </pre>
 * Per batch size B: B greedy requests (with {@code sample}: HY-MT's recommended sampling, top-k 20, top-p 0.6,
 * penalty 1.05, temperature 0.7) of random prompts (PROMPT_TOKENS each, no stop ids) submitted together,
 * so they prefill in one step and decode in lockstep. Prints one line per batch size: prefill tokens/s (the
 * first step over all prompts), decode tokens/s over the decode steps (B · (D − 1) tokens), and the bytes
 * allocated per decoded token in steady state — the sum over all threads of
 * {@code ThreadMXBean.getThreadAllocatedBytes} between the 2nd and the last decode step, divided by the tokens
 * decoded in between. Each size runs once to warm up (all sizes before any is measured), then RUNS times (default 3)
 * on the same engine (JIT-warm, KV blocks from the pool's free list as in a long-running engine); the best run is
 * reported, figure by figure.
 * {@code scripts/engine-before-after.sh} runs it next to {@code scripts/BeforeEngineBench.java}, the same
 * measurement of the engine before issue 8.
 */
public final class EngineBench {
    public static void main(String[] args) throws Exception {
        boolean sample = false, usage = args.length < 5;
        int runs = 3;
        for (int i = 5; i < args.length; i++) {
            if (args[i].equals("sample")) sample = true;
            else if (args[i].matches("[1-9][0-9]*")) runs = Integer.parseInt(args[i]);
            else usage = true;
        }
        if (usage) {
            System.err.println("usage: EngineBench MODEL_DIR THREADS PROMPT_TOKENS DECODE_TOKENS BATCH[,BATCH...] [RUNS] [sample]");
            System.exit(2);
        }
        int threads = Integer.parseInt(args[1]), prompt = Integer.parseInt(args[2]), decode = Integer.parseInt(args[3]);
        int[] batches = java.util.Arrays.stream(args[4].split(",")).mapToInt(Integer::parseInt).toArray();
        List<Engine> engines = new ArrayList<>();
        try (HunyuanModel model = HunyuanModel.load(Path.of(args[0]))) {
            // Every size warms up before any is measured, so the JIT has seen all shapes and has had the most
            // time; each size keeps its engine, so measured runs take their KV blocks from the pool's free list.
            for (int batch : batches) {
                engines.add(new Engine(model, EngineOptions.builder().threads(threads).maxSequences(batch)
                        .maxBatchTokens(Math.max(batch * prompt, batch)).prefixCaching(false).build()));
                run(engines.getLast(), model, prompt, decode, batch, sample);
            }
            for (int k = 0; k < batches.length; k++) {
                int batch = batches[k];
                Result r = run(engines.get(k), model, prompt, decode, batch, sample);
                for (int i = 1; i < runs; i++) r = r.best(run(engines.get(k), model, prompt, decode, batch, sample));
                System.out.printf("RESULT impl=engine%s threads=%d batch=%d prompt=%d decode=%d prefill_tok_s=%.2f decode_tok_s=%.2f"
                                + " alloc_bytes_per_token=%.0f engine_thread_alloc_bytes_per_token=%.0f%n",
                        sample ? "-sampled" : "", threads, batch, prompt, decode, r.prefillTokensPerSecond, r.decodeTokensPerSecond, r.allocPerToken,
                        r.callerAllocPerToken);
            }
        } finally {
            for (Engine e : engines) e.close();
        }
    }

    record Result(double prefillTokensPerSecond, double decodeTokensPerSecond, double allocPerToken, double callerAllocPerToken) {
        /** The better of two runs, figure by figure: on a shared host, the run least disturbed by others. */
        Result best(Result o) {
            return new Result(Math.max(prefillTokensPerSecond, o.prefillTokensPerSecond),
                    Math.max(decodeTokensPerSecond, o.decodeTokensPerSecond), Math.min(allocPerToken, o.allocPerToken),
                    Math.min(callerAllocPerToken, o.callerAllocPerToken));
        }
    }

    static Result run(Engine engine, HunyuanModel model, int promptTokens, int decodeTokens, int batch, boolean sample) {
        SplittableRandom rng = new SplittableRandom(batch);
        GenerationConfig greedy = (sample ? GenerationConfig.hyMtRecommended() : GenerationConfig.builder().greedy())
                .maxNewTokens(decodeTokens).stopTokenIds(Set.of()).build();
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long[] ids = mx.getAllThreadIds();
        long[] snapshot = new long[4];   // all threads at the 2nd token, at the last; the caller's at both
        long caller = Thread.currentThread().threadId();
        {
            List<RequestHandle> handles = new ArrayList<>();
            for (int i = 0; i < batch; i++) {
                TokenListener listener = TokenListener.NONE;
                if (i == 0) {
                    int[] seen = {0};
                    listener = id -> {
                        seen[0]++;
                        if (seen[0] == 2 || seen[0] == decodeTokens) {
                            int k = seen[0] == 2 ? 0 : 1;
                            snapshot[k] = sum(mx.getThreadAllocatedBytes(ids));
                            snapshot[2 + k] = mx.getThreadAllocatedBytes(caller);
                        }
                    };
                }
                handles.add(engine.submit(new GenerationRequest(rng.ints(promptTokens, 0, model.config().vocabSize()).toArray(),
                        greedy, null, listener)));
            }
            List<GenerationResult> results = engine.complete(handles);
            GenerationResult r = results.getFirst();
            long decoded = (long) batch * (decodeTokens - 1), between = (long) batch * (decodeTokens - 2);
            return new Result(batch * promptTokens / (r.prefillNanos() / 1e9), decoded / (r.decodeNanos() / 1e9),
                    (snapshot[1] - snapshot[0]) / (double) between, (snapshot[3] - snapshot[2]) / (double) between);
        }
    }

    private static long sum(long[] values) {
        long s = 0;
        for (long v : values) if (v > 0) s += v;
        return s;
    }
}
