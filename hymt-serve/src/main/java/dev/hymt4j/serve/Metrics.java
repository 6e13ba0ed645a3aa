package dev.hymt4j.serve;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.function.Supplier;

/**
 * The server's Prometheus metrics, written in the text exposition format (version 0.0.4) by {@link #render}.
 * Names follow vLLM's where one exists ({@code time_to_first_token_seconds}, {@code e2e_request_latency_seconds}…),
 * under the {@code hymt_} prefix. A few fixed-bucket histograms and counters need no metrics library.
 */
public final class Metrics {

    /** A cumulative histogram with fixed upper bounds; thread-safe. */
    public static final class Histogram {
        private final double[] bounds;
        private final AtomicLongArray counts;
        private final DoubleAdder sum = new DoubleAdder();
        private final AtomicLong count = new AtomicLong();

        public Histogram(double... bounds) {
            this.bounds = bounds.clone();
            this.counts = new AtomicLongArray(bounds.length);
        }

        public void observe(double value) {
            for (int i = 0; i < bounds.length; i++) {
                if (value <= bounds[i]) {
                    counts.incrementAndGet(i);
                    break;
                }
            }
            sum.add(value);
            count.incrementAndGet();
        }

        void render(StringBuilder out, String name) {
            long cumulative = 0;
            for (int i = 0; i < bounds.length; i++) {
                cumulative += counts.get(i);
                out.append(name).append("_bucket{le=\"").append(number(bounds[i])).append("\"} ").append(cumulative).append('\n');
            }
            out.append(name).append("_bucket{le=\"+Inf\"} ").append(count.get()).append('\n');
            out.append(name).append("_sum ").append(number(sum.sum())).append('\n');
            out.append(name).append("_count ").append(count.get()).append('\n');
        }
    }

    private static final double[] LATENCY_BOUNDS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120};
    private static final double[] TOKEN_TIME_BOUNDS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};

    final Histogram timeToFirstToken = new Histogram(LATENCY_BOUNDS);
    final Histogram timePerOutputToken = new Histogram(TOKEN_TIME_BOUNDS);
    final Histogram requestLatency = new Histogram(LATENCY_BOUNDS);
    /** The bounds of hymt_batch_size, sequences per model step: the engine's power-of-two entries 0…8. */
    private static final int BATCH_SIZE_ENTRIES = 9;
    private final Map<String, AtomicLong> requests = new ConcurrentHashMap<>();
    private final AtomicLong rejected = new AtomicLong();

    /** Counts a finished HTTP request by route and status ("499" when the client went away first). */
    void request(String route, int status) {
        requests.computeIfAbsent(route + "\u0000" + status, k -> new AtomicLong()).incrementAndGet();
    }

    /** Counts a request turned away because the queue was full. */
    void rejected() {
        rejected.incrementAndGet();
    }

    /** The exposition text; {@code stats} is null while the model loads. */
    String render(Supplier<Inference.Stats> stats) {
        StringBuilder out = new StringBuilder(4096);
        header(out, "hymt_requests_total", "counter", "HTTP requests by route and status (499: the client closed the connection first).");
        new TreeMap<>(requests).forEach((key, n) -> {
            int sep = key.indexOf('\u0000');
            out.append("hymt_requests_total{route=\"").append(key, 0, sep).append("\",status=\"")
                    .append(key.substring(sep + 1)).append("\"} ").append(n.get()).append('\n');
        });
        header(out, "hymt_requests_rejected_total", "counter", "Requests answered 503 because the queue was full.");
        out.append("hymt_requests_rejected_total ").append(rejected.get()).append('\n');

        Inference.Stats s = stats.get();
        if (s != null) {
            gauge(out, "hymt_num_requests_waiting", "Sequences waiting for the model.", s.waiting());
            gauge(out, "hymt_num_requests_running", "Sequences being generated.", s.running());
            counter(out, "hymt_engine_steps_total", "Model steps (forward passes).", s.steps());
            counter(out, "hymt_prompt_tokens_total", "Prompt tokens processed.", s.promptTokens());
            counter(out, "hymt_generation_tokens_total", "Tokens generated.", s.generatedTokens());
            gauge(out, "hymt_kv_cache_blocks_used", "KV cache blocks held by running sequences.", s.cache().blocksUsed());
            gauge(out, "hymt_kv_cache_blocks_free", "KV cache blocks a sequence could get: free, or kept only for the prefix cache.",
                    s.cache().blocksFree());
            counter(out, "hymt_prefix_cache_hits_total", "Prompt blocks found in the prefix cache.", s.cache().prefixHits());
            counter(out, "hymt_prefix_cache_queries_total", "Full prompt blocks looked up in the prefix cache.", s.cache().prefixQueries());
        }
        header(out, "hymt_batch_size", "histogram", "Sequences in each model step (decodes and prefill chunks).");
        renderPowersOfTwo(out, "hymt_batch_size", s == null ? new long[0] : s.sequencesPerStep(), s == null ? 0 : s.stepSequences());
        histogram(out, "hymt_time_to_first_token_seconds", "From request arrival to its first generated token.", timeToFirstToken);
        histogram(out, "hymt_time_per_output_token_seconds", "Mean time between tokens after the first, per sequence.", timePerOutputToken);
        histogram(out, "hymt_e2e_request_latency_seconds", "From request arrival to the end of its response.", requestLatency);

        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        gauge(out, "hymt_jvm_heap_used_bytes", "Java heap in use.", memory.getHeapMemoryUsage().getUsed());
        gauge(out, "hymt_jvm_heap_max_bytes", "Java heap limit (-Xmx).", memory.getHeapMemoryUsage().getMax());
        return out.toString();
    }

    private static void header(StringBuilder out, String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void gauge(StringBuilder out, String name, String help, double value) {
        header(out, name, "gauge", help);
        out.append(name).append(' ').append(number(value)).append('\n');
    }

    private static void counter(StringBuilder out, String name, String help, long value) {
        header(out, name, "counter", help);
        out.append(name).append(' ').append(value).append('\n');
    }

    private static void histogram(StringBuilder out, String name, String help, Histogram h) {
        header(out, name, "histogram", help);
        h.render(out, name);
    }

    /**
     * The engine's histogram (entry i counts steps with more than 2^(i-1) and at most 2^i) as cumulative buckets
     * {@code le="1"}, {@code "2"}, {@code "4"}…; entries past the last bound count only in {@code +Inf}.
     */
    private static void renderPowersOfTwo(StringBuilder out, String name, long[] entries, long sum) {
        long cumulative = 0, count = 0;
        for (long n : entries) count += n;
        for (int i = 0; i < BATCH_SIZE_ENTRIES; i++) {
            if (i < entries.length) cumulative += entries[i];
            out.append(name).append("_bucket{le=\"").append(1L << i).append("\"} ").append(cumulative).append('\n');
        }
        out.append(name).append("_bucket{le=\"+Inf\"} ").append(count).append('\n');
        out.append(name).append("_sum ").append(sum).append('\n');
        out.append(name).append("_count ").append(count).append('\n');
    }

    private static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
        return String.format(Locale.ROOT, "%s", v);
    }
}
