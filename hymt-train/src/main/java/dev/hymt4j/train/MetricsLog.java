package dev.hymt4j.train;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code metrics.jsonl}: one JSON object per logged step ({@code step}, {@code epoch}, {@code loss},
 * {@code learning_rate}, {@code grad_norm}, {@code tokens_per_second}, {@code eval_*}, ...), appended and handed
 * to the OS line by line so that a killed run keeps every line it logged.
 *
 * <p>A resumed run opens the file with {@link #resume(Path, long)}: lines with a step after the checkpoint were
 * logged by the killed run past its last checkpoint and will be logged again, so they are dropped, as is a torn
 * last line. The file then reads as if the run had never stopped.
 */
public final class MetricsLog implements Closeable {
    public static final String FILE_NAME = "metrics.jsonl";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final FileChannel channel;

    private MetricsLog(Path file, FileChannel channel) {
        this.file = file;
        this.channel = channel;
    }

    /** Starts an empty log, replacing any file there. */
    public static MetricsLog create(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        return new MetricsLog(file, FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING));
    }

    /** Keeps the lines of steps ≤ {@code checkpointStep} (a fresh log if there is no file) and appends after them. */
    public static MetricsLog resume(Path file, long checkpointStep) throws IOException {
        if (!Files.exists(file)) return create(file);
        byte[] bytes = Files.readAllBytes(file);
        long keep = 0;
        int lineStart = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] != '\n') continue;
            String line = new String(bytes, lineStart, i - lineStart, StandardCharsets.UTF_8);
            Long step = stepOf(line);
            if (step == null) {
                throw new IOException(file + ": line " + lineNumber(bytes, lineStart) + " is not a metrics record: " + line);
            }
            if (step > checkpointStep) break;
            keep = i + 1;
            lineStart = i + 1;
        }
        // Everything after `keep` is a later step or a line without its newline (torn by the kill).
        FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE);
        ch.truncate(keep);
        ch.position(keep);
        return new MetricsLog(file, ch);
    }

    private static Long stepOf(String line) {
        try {
            JsonNode node = JSON.readTree(line);
            return node != null && node.has("step") && node.get("step").canConvertToLong() ? node.get("step").asLong() : null;
        } catch (JacksonException e) {
            return null;
        }
    }

    private static int lineNumber(byte[] bytes, int offset) {
        int n = 1;
        for (int i = 0; i < offset; i++) if (bytes[i] == '\n') n++;
        return n;
    }

    public Path file() {
        return file;
    }

    /** Appends one line; {@code step} comes first, then the entries in their map order. */
    public void log(long step, Map<String, ?> values) throws IOException {
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("step", step);
        for (Map.Entry<String, ?> e : values.entrySet()) {
            if (!e.getKey().equals("step")) record.put(e.getKey(), e.getValue());
        }
        ByteBuffer line = ByteBuffer.wrap((JSON.writeValueAsString(record) + "\n").getBytes(StandardCharsets.UTF_8));
        while (line.hasRemaining()) channel.write(line);
    }

    /** Reads every record of a metrics file (for tests and for reporting). */
    public static List<Map<String, Object>> read(Path file) throws IOException {
        List<Map<String, Object>> records = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            if (line.isBlank()) continue;
            @SuppressWarnings("unchecked")
            Map<String, Object> record = JSON.readValue(line, LinkedHashMap.class);
            records.add(record);
        }
        return records;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
