package dev.hymt4j.eval;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Reading hypotheses and references from text and JSONL files, and the messages for bad input. */
class SegmentFileTest {
    @TempDir
    Path dir;

    Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }

    static String message(Runnable r) {
        return assertThrows(EvalInputException.class, r::run).getMessage();
    }

    @Test
    void plainTextLinesWithCrlfAndFinalNewline() throws IOException {
        Path p = write("hyp.txt", "a b\r\n\nc\n");
        assertEquals(List.of("a b", "", "c"), SegmentFile.parse(p.toString(), null).read());
    }

    @Test
    void jsonlFieldFromSpecOrDefaultAndNullAsMissing() throws IOException {
        Path p = write("t.jsonl", "{\"target\": \"x\", \"hyp\": \"y\"}\n{\"target\": null, \"hyp\": \"z\"}\n");
        assertEquals(Arrays.asList("x", null), SegmentFile.parse(p + ":target", null).read());
        assertEquals(List.of("y", "z"), SegmentFile.parse(p.toString(), "hyp").read());
    }

    @Test
    void jsonlWithoutFieldIsAnError() throws IOException {
        Path p = write("t.jsonl", "{}\n");
        assertEquals(p + ": a JSONL file needs a field: write " + p + ":FIELD or give --field",
                message(() -> SegmentFile.parse(p.toString(), null)));
    }

    @Test
    void badJsonNamesFileAndLine() throws IOException {
        Path p = write("bad.jsonl", "{\"t\": \"ok\"}\n{\"t\": \"broken\n");
        String m = message(() -> SegmentFile.parse(p + ":t", null).read());
        assertEquals(true, m.startsWith(p + ":2: invalid JSON ("), m);
    }

    @Test
    void missingFieldAndNonStringValue() throws IOException {
        Path p = write("f.jsonl", "{\"t\": \"ok\"}\n{\"u\": \"x\"}\n");
        assertEquals(p + ":2: no field 't'", message(() -> SegmentFile.parse(p + ":t", null).read()));
        Path q = write("g.jsonl", "{\"t\": 3}\n");
        assertEquals(q + ":1: field 't' is number, not a string", message(() -> SegmentFile.parse(q + ":t", null).read()));
    }

    @Test
    void unreadableFiles() throws IOException {
        Path missing = dir.resolve("nope.txt");
        assertEquals("cannot read " + missing + ": no such file", message(() -> SegmentFile.parse(missing.toString(), null).read()));
        Path latin1 = Files.write(dir.resolve("latin1.txt"), new byte[] {'c', 'a', 'f', (byte) 0xE9});
        assertEquals(latin1 + ": not valid UTF-8 (byte 3, line 1); expected UTF-8 text",
                message(() -> SegmentFile.parse(latin1.toString(), null).read()));
        Path binary = Files.write(dir.resolve("hyps.txt"), new byte[] {'a', 0, 'b'});
        assertEquals(binary + ": looks like a binary file (a NUL byte at offset 1); expected UTF-8 text",
                message(() -> SegmentFile.parse(binary.toString(), null).read()));
    }

    @Test
    void aByteOrderMarkIsNotPartOfTheFirstSegment() throws IOException {
        Path bom = Files.write(dir.resolve("bom.txt"), new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, 'h', 'i', '\n'});
        assertEquals(java.util.List.of("hi"), SegmentFile.parse(bom.toString(), null).read());
    }

    @Test
    void mismatchedLineCountsNameBothFilesAndCounts() throws IOException {
        Path hyp = write("hyp.txt", "a\nb\nc\n");
        Path ref = write("ref.txt", "a\nb\n");
        String m = message(() -> TestSet.read(SegmentFile.parse(hyp.toString(), null), List.of(SegmentFile.parse(ref.toString(), null))));
        assertEquals("line counts differ: hypotheses " + hyp + " has 3, references " + ref + " has 2", m);
    }

    @Test
    void nullHypothesisIsRejected() throws IOException {
        Path p = write("h.jsonl", "{\"h\": \"a\"}\n{\"h\": null}\n");
        Path ref = write("r.txt", "a\nb\n");
        assertEquals(p + ":2: hypothesis is null",
                message(() -> TestSet.read(SegmentFile.parse(p + ":h", null), List.of(SegmentFile.parse(ref.toString(), null)))));
    }
}
