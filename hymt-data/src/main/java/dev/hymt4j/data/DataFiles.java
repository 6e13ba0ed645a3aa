package dev.hymt4j.data;

import dev.hymt4j.io.TextFileException;
import dev.hymt4j.io.TextFiles;

import java.io.BufferedInputStream;
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

    /**
     * The file's bytes, gunzipped when named {@code *.gz}, after a UTF-8 byte-order mark. What is not UTF-8 text
     * fails here with the file's name (a binary file, UTF-16/32, a {@code .gz} that is not gzip) rather than as
     * a parser complaint about its first line.
     */
    static InputStream openStream(Path file) throws IOException {
        InputStream raw = Files.newInputStream(file);
        InputStream in;
        try {
            in = file.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw;
        } catch (java.util.zip.ZipException e) {
            raw.close();
            throw new TextFileException(file + ": not a gzip file (" + e.getMessage() + "), though its name ends in .gz");
        } catch (java.io.EOFException e) {
            raw.close();
            throw new TextFileException(file + ": not a gzip file (it ends before the gzip header is complete)");
        }
        BufferedInputStream buffered = new BufferedInputStream(in, 1 << 16);
        buffered.mark(SNIFF);
        byte[] head = buffered.readNBytes(SNIFF);
        buffered.reset();
        try {
            TextFiles.decodeHead(file, head);
        } catch (TextFileException e) {
            buffered.close();
            throw e;
        }
        if (head.length >= 3 && (head[0] & 0xFF) == 0xEF && (head[1] & 0xFF) == 0xBB && (head[2] & 0xFF) == 0xBF) {
            buffered.skipNBytes(3);
        }
        return buffered;
    }

    private static final int SNIFF = 8192;

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
