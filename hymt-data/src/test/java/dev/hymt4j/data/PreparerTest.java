package dev.hymt4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hymt4j.testing.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PreparerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path HELP_DE = TestData.path("data/libreoffice-help/libreoffice-help.en-de.jsonl");

    @TempDir Path dir;

    private static List<String> lines(Path p) throws IOException {
        return Files.readAllLines(p);
    }

    /** source → split file name, over all three outputs. */
    private static Map<String, String> splitOfSource(Path out) throws IOException {
        Map<String, String> where = new HashMap<>();
        for (Split s : Split.values()) {
            for (String line : lines(out.resolve(s.fileName()))) where.put(JSON.readTree(line).get("source").asText(), s.name());
        }
        return where;
    }

    @Test
    void splitIsDeterministicAndIndependentOfInputOrder() throws IOException {
        List<String> input = new ArrayList<>(lines(HELP_DE));
        Path a = Files.write(dir.resolve("a.jsonl"), input);
        Collections.shuffle(input, new Random(7));
        Path b = Files.write(dir.resolve("b.jsonl"), input);
        var options = new PrepareOptions().disable(List.of("language"));
        PrepareSummary sa = new Preparer(options).run(List.of(a), dir.resolve("outA"));
        new Preparer(options).run(List.of(b), dir.resolve("outB"));
        assertEquals(splitOfSource(dir.resolve("outA")), splitOfSource(dir.resolve("outB")));
        // Roughly 90/5/5.
        double validShare = sa.count(Split.VALID) / (double) sa.kept();
        assertTrue(validShare > 0.03 && validShare < 0.07, "valid share " + validShare);
        // A different seed gives a different split.
        new Preparer(new PrepareOptions().disable(List.of("language")).seed(7)).run(List.of(a), dir.resolve("outC"));
        assertTrue(!splitOfSource(dir.resolve("outA")).equals(splitOfSource(dir.resolve("outC"))));
    }

    @Test
    void fixedSizesPickTheSameSourcesWhateverTheOrder() throws IOException {
        List<String> input = new ArrayList<>(lines(HELP_DE));
        Path a = Files.write(dir.resolve("a.jsonl"), input);
        Collections.reverse(input);
        Path b = Files.write(dir.resolve("b.jsonl"), input);
        var options = new PrepareOptions().disable(List.of("language")).splitSizes(100, 50);
        PrepareSummary s = new Preparer(options).run(List.of(a), dir.resolve("outA"));
        new Preparer(options).run(List.of(b), dir.resolve("outB"));
        assertEquals(100, s.count(Split.VALID));
        assertEquals(50, s.count(Split.TEST));
        assertEquals(s.kept() - 150, s.count(Split.TRAIN));
        assertEquals(splitOfSource(dir.resolve("outA")), splitOfSource(dir.resolve("outB")));
    }

    @Test
    void dropsDuplicatesAndWritesRejectsAndSummary() throws IOException {
        Path in = Files.writeString(dir.resolve("in.jsonl"), """
                {"source":"Open the file in the editor.","target":"在编辑器中打开文件。","src_lang":"en","tgt_lang":"zh"}
                {"source":"Open the file in the editor.","target":"在编辑器中打开文件。","src_lang":"en","tgt_lang":"zh"}
                {"source":"open the file in the editor","target":"在编辑器中打开文件","src_lang":"en","tgt_lang":"zh"}
                {"source":"Close the window.","target":"Close the window.","src_lang":"en","tgt_lang":"zh"}
                {"source":"Save the document, then close it.","target":"保存文档, 然后关闭它.","src_lang":"en","tgt_lang":"zh"}
                {"source":"","target":"空","src_lang":"en","tgt_lang":"zh"}
                """);
        Path out = dir.resolve("out");
        PrepareSummary s = new Preparer(new PrepareOptions()).run(List.of(in), out);
        assertEquals(6, s.read());
        assertEquals(2, s.kept());
        assertEquals(1, s.rejectedBy("duplicate"));
        assertEquals(1, s.rejectedBy("near-duplicate"));
        assertEquals(1, s.rejectedBy("untranslated"));
        assertEquals(1, s.rejectedBy("empty"));
        assertEquals(1, s.changedBy("punctuation-width"));

        List<String> rejects = lines(out.resolve("rejects.jsonl"));
        assertEquals(4, rejects.size());
        JsonNode first = JSON.readTree(rejects.get(0));
        assertEquals("in.jsonl", first.get("file").asText());
        assertEquals(2, first.get("line").asInt());
        assertEquals("duplicate", first.get("reason").asText());
        assertEquals("Open the file in the editor.", first.get("source").asText());

        List<String> kept = new ArrayList<>();
        for (Split split : Split.values()) kept.addAll(lines(out.resolve(split.fileName())));
        assertTrue(kept.stream().anyMatch(l -> l.contains("保存文档，然后关闭它。")), kept.toString());

        JsonNode summary = JSON.readTree(out.resolve("summary.json").toFile());
        assertEquals(2, summary.at("/language_pairs/en-zh/train").asInt() + summary.at("/language_pairs/en-zh/valid").asInt()
                + summary.at("/language_pairs/en-zh/test").asInt());
        assertEquals(1, summary.at("/rejected_by_rule/untranslated").asInt());
        // Nothing temporary is left behind.
        try (Stream<Path> files = Files.list(out)) {
            assertEquals(List.of(), files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")).toList());
        }
    }

    @Test
    void failedRunLeavesNoOutputs() throws IOException {
        Path in = Files.writeString(dir.resolve("bad.jsonl"), "{\"source\":\"a\",\"target\":\"b\"}\n{\"source\":1,\"target\":\"b\"}\n");
        Path out = dir.resolve("out");
        var e = org.junit.jupiter.api.Assertions.assertThrows(DataFormatException.class,
                () -> new Preparer(new PrepareOptions()).run(List.of(in), out));
        assertEquals("bad.jsonl:2: field \"source\": expected a string, got number", e.getMessage());
        assertEquals(false, Files.exists(out), "not even the directory it created is left");
    }

    @Test
    void rulesCanBeSwitchedByName() throws IOException {
        Path in = Files.writeString(dir.resolve("in.tsv"), "Close the window.\tClose the window.\nA\tB\nA\tB\n");
        PrepareSummary s = new Preparer(new PrepareOptions().disable(List.of("untranslated", "duplicate", "near-duplicate")))
                .run(List.of(in), dir.resolve("out"));
        assertEquals(3, s.kept());
        assertEquals(false, s.rejectedByRule().containsKey("untranslated"));
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new PrepareOptions().disable(List.of("nope")));
        assertTrue(e.getMessage().contains("unknown rule \"nope\""));
    }

    /** Throughput over all clean testdata (all rules on, including language identification); printed for the record. */
    @Test
    void throughputOnTestdata() throws IOException {
        List<Path> inputs;
        try (Stream<Path> files = Files.walk(TestData.path("data"))) {
            inputs = files.filter(p -> p.toString().endsWith(".jsonl") && !p.toString().contains("raw")).sorted().toList();
        }
        PrepareSummary s = new Preparer(new PrepareOptions()).run(inputs, dir.resolve("out"));
        System.out.printf("%nprepare over %d testdata files:%n%s", inputs.size(), s.toTable());
        assertTrue(s.kept() > s.read() / 2);
    }
}
