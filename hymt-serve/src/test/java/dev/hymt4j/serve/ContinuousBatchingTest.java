package dev.hymt4j.serve;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.hymt4j.serve.LoadAndFaultsTest.awaitMetric;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Continuous batching through the server: 32 concurrent requests of mixed prompt and output lengths give exactly
 * the token ids each gives alone, while the metrics show steps with more than one sequence; closing half of 32
 * streams mid-way frees their KV cache blocks. About 20 s on the demo model.
 */
class ContinuousBatchingTest {
    static TranslationServer server;
    static TestServers.Client client;

    @BeforeAll
    static void start() {
        server = TestServers.start(TestServers.options());
        client = new TestServers.Client(server);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** 32 requests: prompts of 3–60 random ids, 4–24 new tokens; greedy, or sampled with a seed per request. */
    private static List<Map<String, Object>> requests(boolean greedy) {
        SplittableRandom rng = new SplittableRandom(11);
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            int[] prompt = rng.ints(3 + rng.nextInt(58), 1, 4000).toArray();
            Map<String, Object> r = new HashMap<>(Map.of("prompt", prompt, "max_tokens", 4 + rng.nextInt(21), "ignore_eos", true,
                    "return_token_ids", true));
            if (greedy) r.put("temperature", 0);
            else r.putAll(Map.of("temperature", 1.0, "top_k", 0, "top_p", 1.0, "repetition_penalty", 1.3, "seed", i));
            out.add(r);
        }
        return out;
    }

    private static JsonNode ids(TestServers.Reply r) {
        assertEquals(200, r.status(), r.body());
        return r.json().get("choices").get(0).get("token_ids");
    }

    @Test
    void concurrentRequestsGiveTheTokensEachGivesAlone() throws Exception {
        for (boolean greedy : new boolean[]{true, false}) {
            List<Map<String, Object>> requests = requests(greedy);
            List<JsonNode> alone = new ArrayList<>();
            for (Map<String, Object> r : requests) alone.add(ids(client.postJson("/v1/completions", r)));
            double multiBefore = stepsWithSeveralSequences();
            List<JsonNode> together = new ArrayList<>();
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<JsonNode>> futures = new ArrayList<>();
                for (Map<String, Object> r : requests) futures.add(pool.submit(() -> ids(client.postJson("/v1/completions", r))));
                for (Future<JsonNode> f : futures) together.add(f.get());
            }
            for (int i = 0; i < requests.size(); i++) {
                assertEquals(requests.get(i).get("max_tokens"), alone.get(i).size());
                assertEquals(alone.get(i), together.get(i), (greedy ? "greedy" : "sampled") + " request " + i);
            }
            assertTrue(stepsWithSeveralSequences() > multiBefore, "the concurrent requests shared steps");
        }
    }

    /** Steps in which more than one sequence ran, from the batch-size histogram (the engine's sequences per step). */
    private static double stepsWithSeveralSequences() {
        String text = client.get("/metrics").body();
        return TestServers.metric(text, "hymt_batch_size_count") - TestServers.metric(text, "hymt_batch_size_bucket{le=\"1\"}");
    }

    @Test
    void closingHalfTheStreamsFreesTheirBlocks() throws Exception {
        awaitMetric(client, "hymt_num_requests_running", 0);
        double idleUsed = TestServers.metric(client.get("/metrics").body(), "hymt_kv_cache_blocks_used");
        assertEquals(0, idleUsed);
        List<Socket> sockets = new ArrayList<>();
        try {
            SplittableRandom rng = new SplittableRandom(5);
            for (int i = 0; i < 32; i++) {
                String body = TestServers.write(Map.of("prompt", rng.ints(40, 1, 4000).toArray(), "max_tokens", 1500,
                        "ignore_eos", true, "stream", true));
                Socket s = new Socket("127.0.0.1", server.port());
                s.getOutputStream().write(("POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                        + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
                sockets.add(s);
            }
            for (Socket s : sockets) {
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                for (String line; (line = in.readLine()) != null; ) if (line.startsWith("data: {")) break;
            }
            awaitMetric(client, "hymt_num_requests_running", 32);
            double usedByAll = TestServers.metric(client.get("/metrics").body(), "hymt_kv_cache_blocks_used");
            for (int i = 0; i < 16; i++) sockets.get(i).close();
            awaitMetric(client, "hymt_num_requests_running", 16);
            String after = client.get("/metrics").body();
            double usedByHalf = TestServers.metric(after, "hymt_kv_cache_blocks_used");
            // Each stream held at least its 40-token prompt (3 blocks of 16); the cancelled half's blocks are back.
            assertTrue(usedByHalf < usedByAll, "blocks used: " + usedByAll + " → " + usedByHalf);
            assertTrue(usedByHalf <= usedByAll / 2 + 16 * 2, "blocks used: " + usedByAll + " → " + usedByHalf);
            assertEquals(16, TestServers.metric(after, "hymt_requests_total{route=\"/v1/completions\",status=\"499\"}"));
        } finally {
            for (Socket s : sockets) s.close();
        }
        awaitMetric(client, "hymt_num_requests_running", 0);
        assertEquals(0, TestServers.metric(client.get("/metrics").body(), "hymt_kv_cache_blocks_used"));
    }
}
