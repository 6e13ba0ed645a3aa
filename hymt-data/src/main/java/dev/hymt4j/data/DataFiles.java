package dev.hymt4j.data;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** Opening data files: UTF-8, transparently gunzipped when named {@code *.gz}. */
final class DataFiles {
    private DataFiles() {}

    static InputStream openStream(Path file) throws IOException {
        InputStream in = Files.newInputStream(file);
        return file.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(in, 1 << 16) : in;
    }

    /**
     * A reader that replaces malformed UTF-8 with U+FFFD instead of failing: a few broken bytes in a huge corpus
     * should cost those lines (the mojibake rule rejects them), not the whole run.
     */
    static BufferedReader openReader(Path file) throws IOException {
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        return new BufferedReader(new InputStreamReader(openStream(file), decoder), 1 << 16);
    }

    static BufferedWriter openWriter(Path file) throws IOException {
        return new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(file), StandardCharsets.UTF_8), 1 << 16);
    }

    /** The name used in messages: the file name alone, as in {@code train.jsonl:17: ...}. */
    static String displayName(Path file) {
        return file.getFileName().toString();
    }
}
