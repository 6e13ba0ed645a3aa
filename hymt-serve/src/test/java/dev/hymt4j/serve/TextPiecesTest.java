package dev.hymt4j.serve;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Stop strings over streamed pieces, HTML text nodes, and the Prometheus text format. */
class TextPiecesTest {

    @Test
    void aStopStringSplitOverPiecesIsNeverSent() {
        StopStrings s = new StopStrings(List.of("###", "END"));
        StringBuilder sent = new StringBuilder();
        for (String piece : List.of("Hel", "lo #", "#", " no", " E", "N", "D tail")) sent.append(s.push(piece));
        assertTrue(s.stopped());
        // "#" "#" then " no" breaks the "###" candidate; "END" completes across three pieces.
        assertEquals("Hello ## no ", sent.toString());
        assertEquals("", s.push("more"));
    }

    @Test
    void heldBackTextIsReleasedAtTheEnd() {
        StopStrings s = new StopStrings(List.of("STOP"));
        assertEquals("abc ", s.push("abc ST"));
        assertFalse(s.stopped());
        assertEquals("ST", s.finish());
        assertEquals("plain", new StopStrings(List.of()).push("plain"));
    }

    @Test
    void htmlTextNodesAreTranslatedAndMarkupKept() {
        String html = "<!doctype html><p title=\"a > b\">Hello &amp; <i>good</i> day</p>\n<pre>keep  me</pre><!-- note --> <br/>Bye";
        List<HtmlText.Piece> pieces = HtmlText.split(html);
        assertEquals(List.of("Hello &", "good", "day", "Bye"), HtmlText.texts(pieces));
        String out = HtmlText.rebuild(pieces, t -> "[" + t + "]");
        assertEquals("<!doctype html><p title=\"a > b\">[Hello &amp;] <i>[good]</i> [day]</p>\n<pre>keep  me</pre><!-- note --> <br/>[Bye]", out);
        assertEquals("a < b © é", HtmlText.decode("a &lt; b &#169; &#xE9;"));
        assertEquals("&amp;unknown;", HtmlText.escape(HtmlText.decode("&unknown;")));
    }

    @Test
    void modelIdsComeFromTheModelsName() {
        assertEquals("hy-mt1.5-1.8b", ServerOptions.defaultModelName("/models/HY-MT1.5-1.8B/"));
        assertEquals("hy-mt1.5-1.8b", ServerOptions.defaultModelName("tencent/HY-MT1.5-1.8B"));
        assertEquals("hy-mt1.5-1.8b-q4_k_m", ServerOptions.defaultModelName("/m/HY-MT1.5-1.8B-Q4_K_M.gguf"));
        ModelNames names = new ModelNames("m", java.util.Set.of("legal"));
        assertEquals(null, names.adapterFor(null, null));
        assertEquals(null, names.adapterFor("m", ""));
        assertEquals("legal", names.adapterFor("m:legal", null));
        assertEquals("legal", names.adapterFor(null, "legal"));
        assertEquals(List.of("m", "m:legal"), names.ids());
    }

    @Test
    void metricsAreValidPrometheusText() {
        Metrics m = new Metrics();
        m.request("/translate", 200);
        m.request("/translate", 200);
        m.request("/translate", 503);
        // Three steps of 1, 3 and 3 sequences in the engine's entries (i: more than 2^(i-1), at most 2^i), and one of 300.
        long[] sequencesPerStep = new long[32];
        sequencesPerStep[0] = 1;
        sequencesPerStep[2] = 2;
        sequencesPerStep[9] = 1;
        String text = m.render(() -> new Inference.Stats(2, 5, 10, sequencesPerStep, 1 + 3 + 3 + 300, 100, 40,
                new Inference.CacheStats(7, 93, 4, 9)));
        assertTrue(text.contains("hymt_requests_total{route=\"/translate\",status=\"200\"} 2\n"));
        assertTrue(text.contains("hymt_requests_total{route=\"/translate\",status=\"503\"} 1\n"));
        assertTrue(text.contains("hymt_num_requests_waiting 2\n"));
        assertTrue(text.contains("hymt_kv_cache_blocks_used 7\n"));
        assertTrue(text.contains("hymt_prefix_cache_hits_total 4\n"));
        // Cumulative buckets: ≤1: 1, ≤2: 1, ≤4: 3, … ≤256: 3; the step of 300 only in +Inf.
        assertTrue(text.contains("hymt_batch_size_bucket{le=\"1\"} 1\nhymt_batch_size_bucket{le=\"2\"} 1\nhymt_batch_size_bucket{le=\"4\"} 3\n"));
        assertTrue(text.contains("hymt_batch_size_bucket{le=\"256\"} 3\nhymt_batch_size_bucket{le=\"+Inf\"} 4\n"
                + "hymt_batch_size_sum 307\nhymt_batch_size_count 4\n"));
        for (String line : text.split("\n")) {
            assertTrue(line.startsWith("# HELP ") || line.startsWith("# TYPE ") || line.matches("[a-z_][a-z0-9_]*(\\{[^}]*\\})? -?[0-9.eE+-]+"), line);
        }
    }
}
