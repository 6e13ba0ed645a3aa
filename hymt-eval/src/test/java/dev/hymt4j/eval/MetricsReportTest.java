package dev.hymt4j.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MetricsReportTest {
    @TempDir
    Path dir;

    @Test
    void jsonHasCorpusScoresSignaturesAndSentences() throws IOException {
        MetricsReport report = MetricsReport.evaluate(BleuSacrebleuTest.HYPS, BleuSacrebleuTest.REFS, "en");
        JsonNode corpus = report.corpusJson();
        assertEquals(48.530827, corpus.get("bleu").get("score").asDouble(), 1e-6);
        assertEquals(17, corpus.get("bleu").get("sys_len").asInt());
        assertEquals(18, corpus.get("bleu").get("ref_len").asInt());
        assertEquals(4, corpus.get("bleu").get("counts").size());
        assertTrue(corpus.get("bleu").get("signature").asText().startsWith("nrefs:2|case:mixed|eff:no|tok:13a"));
        assertEquals(List.of("bleu", "chrf", "chrf++", "ter"), iterToList(corpus.fieldNames()));

        Path out = dir.resolve("sub/report.json");
        report.writeFullJson(out);
        JsonNode full = new ObjectMapper().readTree(out.toFile());
        assertEquals(3, full.get("sentences").size());
        assertEquals(1, full.get("sentences").get(0).get("line").asInt());
        assertEquals(100.0, full.get("sentences").get(0).get("bleu").asDouble(), 1e-9); // identical to ref 1
        assertTrue(full.get("metrics").get("bleu").get("sentence_signature").asText().contains("eff:yes"));
        try (var files = Files.list(out.getParent())) {
            assertEquals(1, files.count()); // no temporary file left behind
        }
    }

    @Test
    void languagePicksTheBleuTokenizer() {
        MetricsReport zh = MetricsReport.evaluate(List.of("我喜欢猫。"), List.of(List.of("我很喜欢猫。")), "zh");
        assertTrue(zh.result("bleu").corpus().signature().contains("tok:zh"));
        MetricsReport ja = MetricsReport.evaluate(List.of("猫が好き"), List.of(List.of("猫が好きです")), "ja");
        assertTrue(ja.result("bleu").corpus().signature().contains("tok:ja-kuromoji"));
    }

    @Test
    void unknownMetricIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new MetricSelection(List.of("bleu", "meteor"), null, false, null));
        assertEquals("unknown metric 'meteor' (known: bleu, chrf, chrf++, ter)", e.getMessage());
    }

    static List<String> iterToList(Iterator<String> it) {
        List<String> l = new ArrayList<>();
        it.forEachRemaining(l::add);
        return l;
    }
}
