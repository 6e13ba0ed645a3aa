package dev.hymt4j.cli;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static dev.hymt4j.cli.CoreCommandsTest.hymt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code hymt translate} options on the demo model (its output is random; the options and errors are not). */
class TranslateCommandTest extends DemoModelTest {
    @Test
    void glossaryFilesInTsvAndJsonlAreAccepted() throws Exception {
        Path tsv = tmp.resolve("terms.tsv"), jsonl = tmp.resolve("terms.jsonl");
        Files.writeString(tsv, "Click\t点击\ncell\t单元格\n");
        Files.writeString(jsonl, "{\"source\": \"Click\", \"target\": \"点击\"}\n");
        for (Path glossary : new Path[]{tsv, jsonl}) {
            CoreCommandsTest.Run r = hymt("translate", "--model", model.toString(), "--to", "zh", "--greedy",
                    "--max-new-tokens", "3", "--glossary", glossary.toString(), "Click the cell.");
            assertEquals(0, r.exitCode(), r.err());
            assertEquals(1, r.out().lines().count(), r.out());
        }
    }

    @Test
    void aMalformedGlossaryNamesFileLineAndField() throws Exception {
        Path bad = tmp.resolve("bad.tsv");
        Files.writeString(bad, "Click\t点击\nno tab here\n");
        CoreCommandsTest.Run r = hymt("translate", "--model", model.toString(), "--to", "zh", "--glossary", bad.toString(), "x");
        assertEquals(1, r.exitCode());
        assertTrue(r.err().trim().endsWith("bad.tsv:2: field \"target\": missing (no tab on the line)"), r.err());
    }

    @Test
    void aTermWithoutEqualsSignIsAUsageError() {
        CoreCommandsTest.Run r = hymt("translate", "--model", model.toString(), "--to", "zh", "--term", "Click", "x");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("--term Click: expected SOURCE=TARGET"), r.err());
    }

    @Test
    void anUnknownBackendIsAUsageErrorThatListsTheChoices() {
        CoreCommandsTest.Run r = hymt("translate", "--model", model.toString(), "--to", "zh", "--backend", "cuda", "x");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("Invalid value for option '--backend': expected one of [java, onednn] (case-insensitive) but was 'cuda'"), r.err());
    }

    /** The opt-in BF16 mode runs end to end (on oneDNN, or on Java where oneDNN cannot load). */
    @Test
    void theOnednnBackendTranslatesAndSaysSo() {
        CoreCommandsTest.Run r = hymt("translate", "--model", model.toString(), "--to", "zh", "--greedy", "--max-new-tokens", "3",
                "--backend", "onednn", "Click the cell.");
        assertEquals(0, r.exitCode(), r.err());
    }
}
