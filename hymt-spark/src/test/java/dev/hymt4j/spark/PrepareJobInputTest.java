package dev.hymt4j.spark;

import static dev.hymt4j.spark.PrepareJobTest.hymtSpark;
import static dev.hymt4j.spark.PrepareJobTest.parts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hymt4j.data.PrepareOptions;
import dev.hymt4j.data.Preparer;
import dev.hymt4j.data.Split;
import dev.hymt4j.testing.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PrepareJob's inputs: Parquet, malformed records, missing paths, outputs that would clobber something. */
class PrepareJobInputTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path HELP_DE = TestData.path("data/libreoffice-help/libreoffice-help.en-de.jsonl");

    @TempDir Path dir;

    @Test
    void parquetRowsGiveTheSameSplitsAsTheSameJsonlLocally() throws Exception {
        Path parquet = dir.resolve("help.parquet");
        SparkTestSession.get().read().json(HELP_DE.toString()).select("source", "target", "src_lang", "tgt_lang")
                .coalesce(1).write().parquet(parquet.toString());
        Path local = dir.resolve("local");
        new Preparer(new PrepareOptions()).run(List.of(HELP_DE), local);
        var r = hymtSpark("prepare", parquet.toString(), "--out", dir.resolve("spark").toString());
        assertEquals(0, r.exitCode(), r.err());
        for (Split s : Split.values()) {
            assertEquals(Files.readAllLines(local.resolve(s.fileName())), parts(dir.resolve("spark").resolve(s.name().toLowerCase())));
        }
        // Rejects point at the Parquet file and row (1-based), which here are the JSONL's lines.
        List<String> localRejects = Files.readAllLines(local.resolve(Preparer.REJECTS));
        List<String> sparkRejects = parts(dir.resolve("spark/rejects"));
        assertEquals(localRejects.size(), sparkRejects.size());
        assertFalse(localRejects.isEmpty());
        for (int i = 0; i < localRejects.size(); i++) {
            JsonNode a = JSON.readTree(localRejects.get(i)), b = JSON.readTree(sparkRejects.get(i));
            assertTrue(b.get("file").asText().startsWith("part-") && b.get("file").asText().endsWith(".parquet"), b.toString());
            assertEquals(a.get("line"), b.get("line"));
            assertEquals(a.get("reason"), b.get("reason"));
            assertEquals(a.get("source"), b.get("source"));
        }
    }

    @Test
    void sharegptFilesAreReadByTheLocalReaderWithTheSameResult() throws Exception {
        Path json = Files.writeString(dir.resolve("chat.json"), """
                [
                  {"messages": [{"role": "user", "content": "Translate the following segment into German, without additional explanation.\\n\\nOpen the file."},
                                {"role": "assistant", "content": "Öffnen Sie die Datei."}]},
                  {"conversations": [{"from": "human", "value": "Close the window."}, {"from": "gpt", "value": "Schließen Sie das Fenster."}]},
                  {"messages": [{"role": "user", "content": "Translate the following segment into German, without additional explanation.\\n\\nOpen the file."},
                                {"role": "assistant", "content": "Öffnen Sie die Datei."}]}
                ]
                """);
        Path local = dir.resolve("local");
        new Preparer(new PrepareOptions()).run(List.of(json), local);
        var r = hymtSpark("prepare", json.toString(), "--out", dir.resolve("spark").toString());
        assertEquals(0, r.exitCode(), r.err());
        PrepareJobTest.assertSameAsLocal(local, dir.resolve("spark"));
        assertEquals(1, Files.readAllLines(local.resolve(Preparer.REJECTS)).size());
    }

    @Test
    void malformedRecordsAreRejectedWithTheirLineAndTheRestIsPrepared() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.jsonl"), """
                {"source":"Open the file.","target":"Öffnen Sie die Datei.","src_lang":"en","tgt_lang":"de"}
                {"source":1,"target":"b"}

                not json
                {"source":"Close the window.","target":"Schließen Sie das Fenster.","src_lang":"en","tgt_lang":"de"}
                """);
        Path tsv = Files.writeString(dir.resolve("bad.tsv"), "Save.\tSpeichern.\none column only\n");
        var r = hymtSpark("prepare", bad.toString(), tsv.toString(), "--out", dir.resolve("out").toString());
        assertEquals(0, r.exitCode(), r.err());
        List<JsonNode> rejects = parts(dir.resolve("out/rejects")).stream().map(PrepareJobInputTest::json).toList();
        assertEquals(3, rejects.size(), rejects.toString());
        assertEquals("{\"file\":\"bad.jsonl\",\"line\":2,\"reason\":\"malformed\","
                + "\"detail\":\"bad.jsonl:2: field \\\"source\\\": expected a string, got number\"}", rejects.get(0).toString());
        assertEquals(4, rejects.get(1).get("line").asInt());
        assertTrue(rejects.get(1).get("detail").asText().startsWith("bad.jsonl:4: not valid JSON"), rejects.get(1).toString());
        assertEquals("bad.tsv:2: field \"target\": missing (no tab on the line)", rejects.get(2).get("detail").asText());
        JsonNode summary = JSON.readTree(dir.resolve("out/summary.json").toFile());
        assertEquals(6, summary.get("read").asInt());
        assertEquals(3, summary.at("/rejected_by_rule/malformed").asInt());
        assertEquals(3, summary.get("kept").asInt());
    }

    @Test
    void aMissingInputIsOneClearLine() {
        Path missing = dir.resolve("nope.jsonl");
        var r = hymtSpark("prepare", missing.toString(), "--out", dir.resolve("out").toString());
        assertEquals(1, r.exitCode());
        assertEquals("hymt-spark prepare: " + missing + ": no such file or directory", r.err().trim());
        assertFalse(Files.exists(dir.resolve("out")));
    }

    @Test
    void anOutputOverlappingAnInputOrHoldingOtherWorkIsRefused() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.copy(HELP_DE, data.resolve("help.jsonl"));
        var inside = hymtSpark("prepare", data.toString(), "--out", data.resolve("prepared").toString());
        assertEquals(1, inside.exitCode());
        // The CLI's path check (dev.hymt4j.io.PathPlan) refuses a local overlap before the job starts.
        assertTrue(inside.err().contains("is inside the input directory IN " + data), inside.err());
        Path taken = Files.createDirectories(dir.resolve("taken"));
        Files.writeString(taken.resolve("notes.txt"), "mine");
        var exists = hymtSpark("prepare", data.toString(), "--out", taken.toString());
        assertEquals(1, exists.exitCode());
        assertEquals("hymt-spark prepare: --out " + taken + " already holds 1 entry (notes.txt); add --force to replace it",
                exists.err().trim());
        assertEquals("mine", Files.readString(taken.resolve("notes.txt")));
    }

    private static JsonNode json(String line) {
        try {
            return JSON.readTree(line);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
