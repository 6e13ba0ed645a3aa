package dev.hymt4j.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Serving throughput and latency of OpenAI-compatible servers, all measured in one run: requests/s and p50/p99
 * time to first token at several concurrencies, for translations of exactly {@code tokens} tokens (streamed
 * {@code /v1/completions} with {@code ignore_eos}, which both {@code hymt serve} and llama-server accept). Each
 * request's usage must report exactly {@code tokens} completion tokens, else the run stops: the servers must
 * generate the same lengths for the figures to compare. Decoding is seeded sampling with the same plain settings
 * on both (temperature 1, top-k 40, no top-p/min-p, no repetition penalty): both servers' default chains differ
 * (each reads its own defaults from the GGUF), and greedy decoding of a random-weight model tends to repeat one
 * byte token that never completes a character, so nothing would stream.
 *
 * <p>Every request translates a different segment (its number leads the text), so neither server answers
 * from a whole-prompt cache; the instruction in front is shared, as in real traffic. Each server gets the same
 * prompts. The first streamed chunk with text marks the first token (both servers hold back a character split
 * over tokens, and neither streams tokens that decode to nothing: give a random-weight model's GGUF through
 * {@code scripts/visible-padding-gguf.py} first, or its padding tokens never show). At each level the servers
 * run one after the other: a warm-up round of {@code level} short requests, then the measured ones. p99 of fewer
 * than 100 requests is their slowest. With {@code --pid NAME=PID} the server's CPU seconds per request (user + system, from
 * /proc) are printed: how much of the two cores each server turns into tokens.
 *
 * <p>Usage: {@code ServeBench --server NAME=URL [--server NAME=URL…] [--pid NAME=PID…] [--concurrency 1,4,16]
 * [--requests N | --requests 4,8,32] [--tokens 40]}; prints a table, the ratios of the first server to each
 * other one, and the load average. The servers must already be running (see {@code scripts/serve-bench.sh}).
 */
public final class ServeBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String INSTRUCTION = "Translate the following segment into German, without additional explanation.\n\n";
    private static final String TEXT = "Select a magnification for the print preview, then open the file and check the cells.";
    private static final long CLOCK_TICKS = 100; // USER_HZ on Linux
    private static final int WARM_UP_TOKENS = 8;

    private record Sample(double ttftSeconds, double totalSeconds, int promptTokens) {}

    private record Row(double requestsPerSecond, double ttftP50, double ttftP99) {}

    public static void main(String[] args) throws Exception {
        Map<String, String> servers = new LinkedHashMap<>();
        Map<String, Long> pids = new LinkedHashMap<>();
        int[] levels = {1, 4, 16};
        int[] requests = null;
        int tokens = 40;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--server" -> {
                    String s = args[++i];
                    servers.put(s.substring(0, s.indexOf('=')), s.substring(s.indexOf('=') + 1));
                }
                case "--pid" -> {
                    String s = args[++i];
                    pids.put(s.substring(0, s.indexOf('=')), Long.parseLong(s.substring(s.indexOf('=') + 1)));
                }
                case "--concurrency" -> levels = ints(args[++i]);
                case "--requests" -> requests = ints(args[++i]);
                case "--tokens" -> tokens = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (servers.isEmpty()) throw new IllegalArgumentException("give at least one --server NAME=URL");
        int generated = tokens;
        if (requests != null && requests.length != 1 && requests.length != levels.length)
            throw new IllegalArgumentException("--requests: one count, or one per concurrency level (" + levels.length + ")");
        System.out.printf("%-10s %5s %8s %7s %9s %10s %10s %10s %10s%n", "server", "conc", "requests", "prompt",
                "req/s", "ttft p50", "ttft p99", "tok/s/req", "cpu s/req");
        Map<String, List<Row>> rows = new LinkedHashMap<>();
        for (int l = 0; l < levels.length; l++) {
            int level = levels[l];
            int n = requests == null ? Math.max(4, 2 * level) : requests[requests.length == 1 ? 0 : l];
            for (Map.Entry<String, String> server : servers.entrySet()) {
                // Warm-up, its own segments: the batch shapes of this level compiled and their caches touched; a few
                // tokens each are enough for that and keep a slow server's run short.
                run(server.getValue(), 100_000 * (l + 1), Math.min(tokens, WARM_UP_TOKENS), level, level);
                Long pid = pids.get(server.getKey());
                double cpuBefore = pid == null ? Double.NaN : cpuSeconds(pid);
                long start = System.nanoTime();
                List<Sample> samples = run(server.getValue(), 100_000 * (l + 1) + 50_000, tokens, level, n);
                double seconds = (System.nanoTime() - start) / 1e9;
                double cpuPerRequest = pid == null ? Double.NaN : (cpuSeconds(pid) - cpuBefore) / n;
                double[] ttft = samples.stream().mapToDouble(Sample::ttftSeconds).sorted().toArray();
                double perRequest = samples.stream()
                        .mapToDouble(s -> (generated - 1) / (s.totalSeconds() - s.ttftSeconds())).average().orElse(Double.NaN);
                Row row = new Row(n / seconds, percentile(ttft, 0.50), percentile(ttft, 0.99));
                rows.computeIfAbsent(server.getKey(), k -> new ArrayList<>()).add(row);
                System.out.printf(Locale.ROOT, "%-10s %5d %8d %7.0f %9.3f %8.0fms %8.0fms %10.2f %10.2f%n", server.getKey(),
                        level, n, samples.stream().mapToInt(Sample::promptTokens).average().orElse(Double.NaN),
                        row.requestsPerSecond(), row.ttftP50() * 1000, row.ttftP99() * 1000, perRequest, cpuPerRequest);
            }
        }
        String first = servers.keySet().iterator().next();
        for (String other : servers.keySet()) {
            if (other.equals(first)) continue;
            System.out.printf("%nratio %s / %s (req/s: >1 = %s faster; ttft: <1 = %s faster)%n", first, other, first, first);
            for (int l = 0; l < levels.length; l++) {
                Row a = rows.get(first).get(l), b = rows.get(other).get(l);
                System.out.printf(Locale.ROOT, "  conc %2d: req/s %.2fx   ttft p50 %.2fx   ttft p99 %.2fx%n", levels[l],
                        a.requestsPerSecond() / b.requestsPerSecond(), a.ttftP50() / b.ttftP50(), a.ttftP99() / b.ttftP99());
            }
        }
        System.out.println("load average: " + Files.readString(Path.of("/proc/loadavg")).strip());
    }

    private static int[] ints(String list) {
        return Arrays.stream(list.split(",")).mapToInt(Integer::parseInt).toArray();
    }

    private static double percentile(double[] sorted, double p) {
        int index = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    /** User + system CPU time of a process, all its threads (fields 14 and 15 of /proc/PID/stat). */
    private static double cpuSeconds(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / (double) CLOCK_TICKS;
    }

    /** {@code n} requests for segments {@code firstSegment…}, at most {@code concurrency} at a time. */
    private static List<Sample> run(String url, int firstSegment, int tokens, int concurrency, int n) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        List<Sample> samples = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(concurrency)) {
            List<Future<Sample>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String prompt = INSTRUCTION + "Segment " + (firstSegment + i) + ". " + TEXT;
                // max_tokens only: llama-server takes it as an alias of n_predict (sending both is ambiguous).
                // repetition_penalty is hymt's name, repeat_penalty llama-server's; each ignores the other's.
                String body = JSON.writeValueAsString(Map.ofEntries(Map.entry("prompt", prompt), Map.entry("max_tokens", tokens),
                        Map.entry("ignore_eos", true), Map.entry("temperature", 1.0), Map.entry("top_k", 40),
                        Map.entry("top_p", 1.0), Map.entry("min_p", 0.0), Map.entry("repetition_penalty", 1.0),
                        Map.entry("repeat_penalty", 1.0), Map.entry("seed", firstSegment + i), Map.entry("stream", true),
                        Map.entry("stream_options", Map.of("include_usage", true))));
                futures.add(pool.submit(() -> one(http, url, body, tokens)));
            }
            for (Future<Sample> f : futures) samples.add(f.get());
        }
        return samples;
    }

    private static Sample one(HttpClient http, String url, String body, int tokens) throws Exception {
        long start = System.nanoTime();
        HttpResponse<java.io.InputStream> r = http.send(HttpRequest.newBuilder(URI.create(url + "/v1/completions"))
                .header("Content-Type", "application/json").timeout(Duration.ofMinutes(30))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() != 200)
            throw new IllegalStateException(url + " answered " + r.statusCode() + ": " + new String(r.body().readAllBytes(), StandardCharsets.UTF_8));
        long first = -1;
        JsonNode usage = null;
        String last = null;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (!line.isEmpty()) last = line;
                if (!line.startsWith("data: ") || line.equals("data: [DONE]")) continue;
                JsonNode chunk = JSON.readTree(line.substring(6));
                if (chunk.hasNonNull("usage")) usage = chunk.get("usage");
                JsonNode choices = chunk.path("choices");
                if (first < 0 && !choices.isEmpty() && !choices.get(0).path("text").asText("").isEmpty()) first = System.nanoTime();
            }
        }
        long end = System.nanoTime();
        if (usage == null || usage.path("completion_tokens").asInt(-1) != tokens)
            throw new IllegalStateException(url + ": expected " + tokens + " completion tokens, usage was " + usage + "; last line: " + last);
        return new Sample(((first < 0 ? end : first) - start) / 1e9, (end - start) / 1e9, usage.path("prompt_tokens").asInt());
    }
}
