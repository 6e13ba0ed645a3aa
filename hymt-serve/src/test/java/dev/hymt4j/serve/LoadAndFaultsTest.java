package dev.hymt4j.serve;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Behaviour under load and faults: a full queue answers 503 with Retry-After and nothing else, a client that hangs
 * up has its sequence cancelled, and SIGTERM's graceful shutdown finishes in-flight work or cancels it at the
 * deadline. Each test runs its own server (about 10 s in all on the demo model).
 */
class LoadAndFaultsTest {

    private static String chat(int maxTokens, boolean stream) {
        return TestServers.write(Map.of("messages", List.of(Map.of("role", "user", "content", "Translate: open the file")),
                "max_tokens", maxTokens, "ignore_eos", true, "stream", stream));
    }

    @Test
    void overloadGetsOnly200And503AndHealthAnswersThroughout() throws Exception {
        TranslationServer server = TestServers.start(TestServers.options().withMaxQueue(8));
        try {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
            AtomicBoolean retryAfterOnAll503 = new AtomicBoolean(true);
            AtomicBoolean healthOk = new AtomicBoolean(true);
            AtomicInteger healthChecks = new AtomicInteger();
            AtomicLong maxHeap = new AtomicLong();
            AtomicBoolean done = new AtomicBoolean();
            Thread watcher = Thread.ofPlatform().start(() -> {
                TestServers.Client c = new TestServers.Client(server);
                while (!done.get()) {
                    TestServers.Reply h = c.get("/health");
                    healthChecks.incrementAndGet();
                    if (h.status() != 200) healthOk.set(false);
                    maxHeap.accumulateAndGet((long) TestServers.metric(c.get("/metrics").body(), "hymt_jvm_heap_used_bytes"), Math::max);
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            // 200 requests, at most 50 in flight: a bounded loop that stops by itself.
            Semaphore concurrent = new Semaphore(50);
            CountDownLatch finished = new CountDownLatch(200);
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < 200; i++) {
                    concurrent.acquire();
                    int tokens = 2 + i % 5;
                    pool.submit(() -> {
                        try {
                            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(server.url() + "/v1/chat/completions"))
                                    .timeout(Duration.ofSeconds(120)).POST(HttpRequest.BodyPublishers.ofString(chat(tokens, false))).build(),
                                    HttpResponse.BodyHandlers.ofString());
                            statuses.computeIfAbsent(r.statusCode(), k -> new AtomicInteger()).incrementAndGet();
                            if (r.statusCode() == 503 && (r.headers().firstValue("Retry-After").isEmpty()
                                    || !r.body().contains("\"unavailable_error\""))) {
                                retryAfterOnAll503.set(false);
                            }
                        } catch (Exception e) {
                            statuses.computeIfAbsent(-1, k -> new AtomicInteger()).incrementAndGet();
                        } finally {
                            concurrent.release();
                            finished.countDown();
                        }
                    });
                }
                finished.await();
            }
            done.set(true);
            watcher.join();
            assertEquals(200, statuses.values().stream().mapToInt(AtomicInteger::get).sum());
            assertTrue(statuses.keySet().stream().allMatch(s -> s == 200 || s == 503), "statuses: " + statuses);
            assertTrue(statuses.containsKey(200) && statuses.containsKey(503), "statuses: " + statuses);
            assertTrue(retryAfterOnAll503.get(), "every 503 has Retry-After and the OpenAI error shape");
            assertTrue(healthOk.get() && healthChecks.get() > 0, "health answered 200 throughout");
            // Bounded memory: the queue holds at most 8 waiting sequences; heap stays far below the test JVM's.
            assertTrue(maxHeap.get() < 1L << 30, "heap peaked at " + maxHeap.get());
            String metrics = new TestServers.Client(server).get("/metrics").body();
            assertEquals(statuses.get(503).get(), TestServers.metric(metrics, "hymt_requests_rejected_total"));
            assertEquals(0, TestServers.metric(metrics, "hymt_num_requests_waiting"));
            assertEquals(200, new TestServers.Client(server).postJson("/v1/completions", Map.of("prompt", "x", "max_tokens", 1)).status());
        } finally {
            server.close();
        }
    }

    @Test
    void aClientThatHangsUpHasItsSequenceCancelled() throws Exception {
        TranslationServer server = TestServers.start(TestServers.options());
        try {
            TestServers.Client client = new TestServers.Client(server);
            for (boolean stream : new boolean[]{false, true}) {
                String body = chat(2000, stream);
                try (Socket socket = new Socket("127.0.0.1", server.port())) {
                    OutputStream out = socket.getOutputStream();
                    out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                            + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body)
                            .getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    awaitMetric(client, "hymt_num_requests_running", 1);
                }
                // The sequence stops long before its 2000 tokens, and the model is free for the next request.
                awaitMetric(client, "hymt_num_requests_running", 0);
                double generated = TestServers.metric(client.get("/metrics").body(), "hymt_generation_tokens_total");
                assertTrue(generated < 2000, "generated " + generated);
                assertTrue(client.get("/metrics").body().contains("hymt_requests_total{route=\"/v1/chat/completions\",status=\"499\"}"));
            }
        } finally {
            server.close();
        }
    }

    static void awaitMetric(TestServers.Client client, String name, double value) throws InterruptedException {
        for (int i = 0; i < 600; i++) {
            if (TestServers.metric(client.get("/metrics").body(), name) == value) return;
            Thread.sleep(50);
        }
        throw new AssertionError(name + " never became " + value + ":\n" + client.get("/metrics").body());
    }

    @Test
    void shutdownFinishesInFlightWorkThenCancelsAtTheDeadline() throws Exception {
        for (boolean generousGrace : new boolean[]{true, false}) {
            TranslationServer server = TestServers.start(TestServers.options().withShutdownGrace(Duration.ofSeconds(60)));
            int port = server.port();
            String body = chat(generousGrace ? 1000 : 2000, true);
            try (Socket socket = new Socket("127.0.0.1", port)) {
                socket.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                        + "Content-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
                BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
                StringBuilder stream = new StringBuilder();
                for (String line; (line = in.readLine()) != null; ) {
                    stream.append(line).append('\n');
                    if (line.startsWith("data: {")) break; // streaming: now shut down
                }
                Thread stopper = Thread.ofPlatform().start(() -> server.shutdown(generousGrace ? Duration.ofSeconds(60) : Duration.ofMillis(300)));
                if (generousGrace) {
                    // While the stream drains, new work is refused and health says why.
                    TestServers.Client other = new TestServers.Client(server);
                    TestServers.Reply health = other.get("/health");
                    for (int i = 0; i < 100 && health.status() == 200; i++) health = other.get("/health");
                    assertEquals(503, health.status());
                    assertEquals("Shutting down", health.json().get("error").get("message").asText());
                    TestServers.Reply refused = other.postJson("/v1/completions", Map.of("prompt", "x", "max_tokens", 1));
                    assertEquals(503, refused.status());
                    assertEquals("close", refused.header("Connection"));
                }
                for (String line; (line = in.readLine()) != null; ) stream.append(line).append('\n');
                stopper.join();
                assertTrue(stream.toString().contains("data: [DONE]"), stream.toString());
                assertTrue(stream.toString().contains(generousGrace ? "\"finish_reason\":\"length\"" : "\"finish_reason\":\"cancelled\""), stream.toString());
            }
            try (Socket refused = new Socket()) {
                refused.connect(new java.net.InetSocketAddress("127.0.0.1", port), 1000);
                throw new AssertionError("still listening after shutdown");
            } catch (java.io.IOException expected) {
                // closed
            }
        }
    }

}
