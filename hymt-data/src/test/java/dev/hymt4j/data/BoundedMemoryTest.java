package dev.hymt4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prepares a generated 200,000-line file (~30 MB) in a forked JVM limited to a 32 MB heap: it only finishes if
 * nothing but the per-pair hashes is kept across lines.
 */
class BoundedMemoryTest {
    @TempDir Path dir;

    /** Entry point of the forked JVM: {@code input outDir}. */
    public static void main(String[] args) throws IOException {
        PrepareSummary s = new Preparer(new PrepareOptions().disable(List.of("language")))
                .run(List.of(Path.of(args[0])), Path.of(args[1]));
        System.out.println("kept=" + s.kept());
    }

    @Test
    void twoHundredThousandLinesInA32MbHeap() throws Exception {
        Path input = dir.resolve("big.jsonl");
        try (BufferedWriter w = Files.newBufferedWriter(input)) {
            for (int i = 0; i < 200_000; i++) {
                w.write("{\"source\":\"Line " + i + " of a long generated corpus, repeated to fill memory if it were held.\","
                        + "\"target\":\"第" + i + "行，这是一个很长的生成语料，如果被保存在内存中就会占满内存。\",\"src_lang\":\"en\",\"tgt_lang\":\"zh\"}\n");
            }
            // A few duplicates so deduplication is exercised too.
            for (int i = 0; i < 1000; i++) {
                w.write("{\"source\":\"Line " + i + " of a long generated corpus, repeated to fill memory if it were held.\","
                        + "\"target\":\"第" + i + "行，这是一个很长的生成语料，如果被保存在内存中就会占满内存。\",\"src_lang\":\"en\",\"tgt_lang\":\"zh\"}\n");
            }
        }
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-Xmx32m", "-cp", System.getProperty("java.class.path"),
                BoundedMemoryTest.class.getName(), input.toString(), dir.resolve("out").toString())
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), output);
        assertEquals(true, output.contains("kept=200000"), output);
    }
}
