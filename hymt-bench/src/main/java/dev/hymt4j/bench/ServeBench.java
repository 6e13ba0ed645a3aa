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
 * {@code /v1/completions} with {@code ignore_eos}, which both {@code hymt serve} and llama-server accept).
 * The first streamed chunk with text marks the first token. A warm-up round runs first at each level.
 *
 * <p>Usage: {@code ServeBench --server NAME=URL [--server NAME=URL…] [--concurrency 1,4,16] [--requests N]
 * [--tokens 40]}; prints a table and the load average. The servers must already be running (see
 * {@code scripts/serve-bench.sh}).
 */
public final class ServeBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TEXT = "Select a magnification for the print preview, then open the file and check the cells.";

    private record Sample(double ttftSeconds, double totalSeconds, int chunks) {}

    public static void main(String[] args) throws Exception {
        Map<String, String> servers = new LinkedHashMap<>();
        int[] levels = {1, 4, 16};
        int requestsPerLevel = 0, tokens = 40;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--server" -> {
                    String s = args[++i];
                    servers.put(s.substring(0, s.indexOf('=')), s.substring(s.indexOf('=') + 1));
                }
                case "--concurrency" -> levels = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
                case "--requests" -> requestsPerLevel = Integer.parseInt(args[++i]);
                case "--tokens" -> tokens = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (servers.isEmpty()) throw new IllegalArgumentException("give at least one --server NAME=URL");
        int generated = tokens;
        String prompt = "Translate the following segment into German, without additional explanation.\n\n" + TEXT;
        System.out.printf("%-12s %5s %8s %9s %10s %10s %12s%n", "server", "conc", "requests", "req/s", "ttft p50", "ttft p99", "tok/s/req");
        for (int level : levels) {
            int n = requestsPerLevel > 0 ? requestsPerLevel : Math.max(8, 3 * level);
            for (Map.Entry<String, String> server : servers.entrySet()) {
                run(server.getValue(), prompt, tokens, level, level); // warm-up
                long start = System.nanoTime();
                List<Sample> samples = run(server.getValue(), prompt, tokens, level, n);
                double seconds = (System.nanoTime() - start) / 1e9;
                double[] ttft = samples.stream().mapToDouble(Sample::ttftSeconds).sorted().toArray();
                double perRequest = samples.stream().mapToDouble(s -> (generated - 1) / (s.totalSeconds() - s.ttftSeconds())).average().orElse(Double.NaN);
                System.out.printf(Locale.ROOT, "%-12s %5d %8d %9.2f %9.0fms %9.0fms %12.1f%n", server.getKey(), level, n, n / seconds,
                        percentile(ttft, 0.50) * 1000, percentile(ttft, 0.99) * 1000, perRequest);
            }
        }
        System.out.println("load average: " + Files.readString(Path.of("/proc/loadavg")).strip());
    }

    private static double percentile(double[] sorted, double p) {
        int index = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    /** {@code n} requests, at most {@code concurrency} at a time. */
    private static List<Sample> run(String url, String prompt, int tokens, int concurrency, int n) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String body = JSON.writeValueAsString(Map.of("prompt", prompt, "max_tokens", tokens, "n_predict", tokens,
                "ignore_eos", true, "temperature", 0, "stream", true));
        List<Sample> samples = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(concurrency)) {
            List<Future<Sample>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) futures.add(pool.submit(() -> one(http, url, body)));
            for (Future<Sample> f : futures) samples.add(f.get());
        }
        return samples;
    }

    private static Sample one(HttpClient http, String url, String body) throws Exception {
        long start = System.nanoTime();
        HttpResponse<java.io.InputStream> r = http.send(HttpRequest.newBuilder(URI.create(url + "/v1/completions"))
                .header("Content-Type", "application/json").timeout(Duration.ofMinutes(30))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() != 200) throw new IllegalStateException(url + " answered " + r.statusCode() + ": " + new String(r.body().readAllBytes(), StandardCharsets.UTF_8));
        long first = -1;
        int chunks = 0;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (!line.startsWith("data: ") || line.equals("data: [DONE]")) continue;
                JsonNode chunk = JSON.readTree(line.substring(6));
                JsonNode choices = chunk.path("choices");
                if (choices.isEmpty()) continue;
                chunks++;
                if (first < 0 && !choices.get(0).path("text").asText("").isEmpty()) first = System.nanoTime();
            }
        }
        long end = System.nanoTime();
        return new Sample(((first < 0 ? end : first) - start) / 1e9, (end - start) / 1e9, chunks);
    }
}
