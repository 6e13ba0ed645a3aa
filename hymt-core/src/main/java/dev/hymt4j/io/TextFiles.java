package dev.hymt4j.io;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reading a whole text file as users make them: UTF-8, with or without a byte-order mark (dropped, as Python's
 * {@code utf-8-sig} does). What is not UTF-8 text fails with the file's name and what it is instead: a binary
 * file, UTF-16 or UTF-32 text, or broken bytes with the byte offset and line, never a bare
 * {@code MalformedInputException: Input length = 1}.
 */
public final class TextFiles {
    private static final int SNIFF = 8192;

    private TextFiles() {}

    public static String readString(Path file) throws IOException {
        if (Files.isDirectory(file)) throw new TextFileException(file + ": is a directory; expected a text file");
        if (!Files.exists(file)) throw new NoSuchFileException(file.toString());
        return decode(file, Files.readAllBytes(file));
    }

    /** {@code bytes} (the content of {@code file}) as text; see the class comment. */
    public static String decode(Path file, byte[] bytes) throws TextFileException {
        decodeHead(file, bytes);
        int start = bomLength(bytes);
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes, start, bytes.length - start);
        CharBuffer out = CharBuffer.allocate(bytes.length - start);
        CoderResult r = decoder.decode(in, out, true);
        if (r.isError()) {
            int at = in.position();
            int line = 1;
            for (int i = start; i < at; i++) if (bytes[i] == '\n') line++;
            throw new TextFileException(file + ": not valid UTF-8 (byte " + at + ", line " + line + "); expected UTF-8 text");
        }
        decoder.flush(out);
        return out.flip().toString();
    }

    /**
     * Checks the first bytes of a text file (any prefix of it, e.g. what a streaming reader peeked at): refuses a
     * UTF-16/32 byte-order mark and a NUL byte (a binary file) with the file's name.
     */
    public static void decodeHead(Path file, byte[] head) throws TextFileException {
        String other = otherEncoding(head);
        if (other != null) throw new TextFileException(file + ": " + other + "; expected UTF-8 text");
        for (int i = bomLength(head); i < Math.min(head.length, SNIFF); i++) {
            if (head[i] == 0) {
                throw new TextFileException(file + ": looks like a binary file (a NUL byte at offset " + i + "); expected UTF-8 text");
            }
        }
    }

    private static int bomLength(byte[] b) {
        return b.length >= 3 && (b[0] & 0xFF) == 0xEF && (b[1] & 0xFF) == 0xBB && (b[2] & 0xFF) == 0xBF ? 3 : 0;
    }

    /** What a byte-order mark says the file is, when that is not UTF-8; null otherwise. */
    private static String otherEncoding(byte[] b) {
        if (b.length >= 4 && (b[0] & 0xFF) == 0xFF && (b[1] & 0xFF) == 0xFE && b[2] == 0 && b[3] == 0) return "is UTF-32 text";
        if (b.length >= 4 && b[0] == 0 && b[1] == 0 && (b[2] & 0xFF) == 0xFE && (b[3] & 0xFF) == 0xFF) return "is UTF-32 text";
        if (b.length >= 2 && ((b[0] & 0xFF) == 0xFF && (b[1] & 0xFF) == 0xFE || (b[0] & 0xFF) == 0xFE && (b[1] & 0xFF) == 0xFF)) {
            return "is UTF-16 text (it starts with a UTF-16 byte-order mark)";
        }
        return null;
    }

    /** A parser's complaint in a few words with its place, e.g. "Unexpected character ('x') at line 3, column 7". */
    public static String jsonProblem(IOException e) {
        if (e instanceof JacksonException j) {
            JsonLocation at = j.getLocation();
            String where = at == null || at.getLineNr() < 0 ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            return j.getOriginalMessage() + where;
        }
        return e.getMessage();
    }
}
