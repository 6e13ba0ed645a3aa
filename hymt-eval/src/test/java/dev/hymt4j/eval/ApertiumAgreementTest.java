package dev.hymt4j.eval;

import dev.hymt4j.testing.TestData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Real MT output (Apertium en→es on LibreOffice help, 800 lines) scored with every metric, corpus and
 * per line, against values from a Python transcription of sacreBLEU 2.x (resource
 * {@code apertium-sacrebleu-oracle.tsv}; its header says how they were made). No sacreBLEU scores
 * were stored with the data itself (testdata/data/derive/report.json holds only filter counts).
 */
class ApertiumAgreementTest {
    static final String FILE = "data/libreoffice-help/libreoffice-help.en-es.apertium-hyp.jsonl";
    static MetricsReport report;
    static List<double[]> oracle;

    @BeforeAll
    static void score() throws IOException {
        String path = TestData.path(FILE).toString();
        TestSet set = TestSet.read(SegmentFile.parse(path + ":hypothesis", null), List.of(SegmentFile.parse(path + ":target", null)));
        report = MetricsReport.evaluate(set.hyps(), set.refStreams(), "es");
        oracle = readOracle();
        System.out.println("Apertium en-es (" + report.segments() + " lines):");
        System.out.print(report.table());
        for (MetricResult r : report.results()) System.out.println("  " + r.corpus().formatted());
        System.out.println("  first lines (bleu, chrf, chrf++, ter):");
        for (int i = 0; i < 5; i++) {
            int line = i;
            System.out.println("  " + (i + 1) + ": " + report.results().stream()
                    .map(r -> PyText.fixed(r.sentences().get(line), 4)).toList());
        }
    }

    static List<double[]> readOracle() throws IOException {
        try (InputStream in = ApertiumAgreementTest.class.getResourceAsStream("apertium-sacrebleu-oracle.tsv")) {
            assertNotNull(in);
            List<double[]> rows = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.startsWith("#") || line.isBlank()) continue;
                String[] f = line.split("\t");
                rows.add(new double[] {Double.parseDouble(f[1]), Double.parseDouble(f[2]), Double.parseDouble(f[3]), Double.parseDouble(f[4])});
            }
            return rows;
        }
    }

    @Test
    void corpusBleu() {
        BleuScore b = (BleuScore) report.result("bleu").corpus();
        assertEquals(23.321189005356487, b.score(), 1e-9);
        assertEquals(List.of(9548L, 4681L, 2668L, 1545L), Arrays.stream(b.counts()).boxed().toList());
        assertEquals(List.of(16547L, 15747L, 14947L, 14147L), Arrays.stream(b.totals()).boxed().toList());
        assertEquals(16547, b.sysLen());
        assertEquals(17054, b.refLen());
        assertEquals("nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:" + Sacrebleu.VERSION, b.signature());
    }

    @Test
    void corpusChrfChrfPlusPlusTer() {
        assertEquals(51.57733364554029, report.result("chrf").corpus().score(), 1e-9);
        assertEquals(49.07644836600379, report.result("chrf++").corpus().score(), 1e-9);
        TerScore ter = (TerScore) report.result("ter").corpus();
        assertEquals(61.234124609349024, ter.score(), 1e-9);
        assertEquals(9209, ter.numEdits());
        assertEquals(15039.0, ter.refLength());
    }

    @Test
    void everyLineAgreesForEveryMetric() {
        assertEquals(800, oracle.size());
        String[] metrics = {"bleu", "chrf", "chrf++", "ter"};
        for (int m = 0; m < metrics.length; m++) {
            List<Double> ours = report.result(metrics[m]).sentences();
            for (int i = 0; i < oracle.size(); i++) {
                assertEquals(oracle.get(i)[m], ours.get(i), 1e-9, metrics[m] + " line " + (i + 1));
            }
        }
    }
}
