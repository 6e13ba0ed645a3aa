package dev.hymt4j.eval;

import dev.hymt4j.io.AtomicFile;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * Corpus scores, signatures and per-segment scores of several metrics on one test set.
 *
 * <p>Entry point for callers that already hold hypotheses (e.g. a translate-then-score command):
 * {@link #evaluate(List, List, String)} with the target language picks sacreBLEU's tokenizer.
 */
public record MetricsReport(int segments, String nrefs, List<MetricResult> results) {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** All four metrics, sacreBLEU defaults, BLEU tokenizer from the target language (zh, ja, ko, else 13a). */
    public static MetricsReport evaluate(List<String> hyps, List<? extends List<String>> refStreams, String targetLanguage) {
        return evaluate(hyps, refStreams, MetricSelection.defaults(targetLanguage));
    }

    public static MetricsReport evaluate(List<String> hyps, List<? extends List<String>> refStreams, MetricSelection selection) {
        References refs = References.fromStreams(hyps.size(), refStreams);
        List<MetricResult> results = selection.metrics().stream().map(m -> m.evaluate(hyps, refs)).toList();
        return new MetricsReport(hyps.size(), refs.nrefs(), results);
    }

    /** The result of one metric ({@code bleu}, {@code chrf}, {@code chrf++}, {@code ter}). */
    public MetricResult result(String metric) {
        return results.stream().filter(r -> r.metric().equals(metric)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("metric not in report: " + metric));
    }

    /** {@code {"bleu": {score, signature, ...}, "chrf": {...}}}: corpus scores only. */
    public ObjectNode corpusJson() {
        ObjectNode root = JSON.createObjectNode();
        for (MetricResult r : results) root.set(r.metric(), JSON.valueToTree(r.corpus()));
        return root;
    }

    /** The corpus scores plus, per metric, the sentence-level signature, and one row of scores per segment. */
    public ObjectNode fullJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("segments", segments);
        root.put("nrefs", nrefs);
        root.put("sacrebleu_version", Sacrebleu.VERSION);
        ObjectNode metrics = root.putObject("metrics");
        for (MetricResult r : results) {
            ObjectNode m = JSON.valueToTree(r.corpus());
            m.put("sentence_signature", r.sentenceSignature());
            metrics.set(r.metric(), m);
        }
        ArrayNode sentences = root.putArray("sentences");
        for (int s = 0; s < segments; s++) {
            ObjectNode row = sentences.addObject();
            row.put("line", s + 1);
            for (MetricResult r : results) row.put(r.metric(), r.sentences().get(s));
        }
        return root;
    }

    public static String toJsonString(ObjectNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (IOException e) {
            throw new IllegalStateException(e); // an in-memory tree always serializes
        }
    }

    /** Writes {@link #fullJson()} to {@code file} atomically (temporary file in the same folder, then rename). */
    public void writeFullJson(Path file) throws IOException {
        AtomicFile.write(file, JSON.writeValueAsBytes(fullJson()));
    }

    /** A plain table: metric, score (2 decimals), signature. */
    public String table() {
        StringBuilder sb = new StringBuilder();
        String fmt = "%-8s %8s  %s%n";
        sb.append(String.format(fmt, "metric", "score", "signature"));
        for (MetricResult r : results) {
            sb.append(String.format(fmt, r.metric(), PyText.fixed(r.corpus().score(), 2), r.corpus().signature()));
        }
        return sb.toString();
    }
}
