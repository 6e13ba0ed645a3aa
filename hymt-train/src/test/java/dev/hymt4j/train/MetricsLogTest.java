package dev.hymt4j.train;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class MetricsLogTest {
    private static Map<String, Object> entry(double loss, double lr) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epoch", 0.5);
        m.put("loss", loss);
        m.put("learning_rate", lr);
        return m;
    }

    @Test
    void oneJsonObjectPerLineStepFirst(@TempDir Path dir) throws Exception {
        Path file = dir.resolve(MetricsLog.FILE_NAME);
        try (MetricsLog log = MetricsLog.create(file)) {
            log.log(10, entry(2.0, 1e-4));
            // handed to the OS at once: visible before close
            assertEquals(1, Files.readAllLines(file).size());
            log.log(20, Map.of("eval_loss", 1.5));
        }
        List<String> lines = Files.readAllLines(file);
        assertEquals("{\"step\":10,\"epoch\":0.5,\"loss\":2.0,\"learning_rate\":1.0E-4}", lines.get(0));
        List<Map<String, Object>> records = MetricsLog.read(file);
        assertEquals(20, records.get(1).get("step"));
        assertEquals(1.5, records.get(1).get("eval_loss"));
    }

    @Test
    void resumeDropsLinesAfterTheCheckpointAndATornLastLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve(MetricsLog.FILE_NAME);
        try (MetricsLog log = MetricsLog.create(file)) {
            for (int step = 10; step <= 50; step += 10) log.log(step, entry(1.0 / step, 1e-4));
        }
        Files.writeString(file, "{\"step\":60,\"lo", StandardOpenOption.APPEND);   // killed mid-write

        try (MetricsLog log = MetricsLog.resume(file, 30)) {
            log.log(40, entry(0.25, 2e-4));
        }
        List<Map<String, Object>> records = MetricsLog.read(file);
        assertEquals(List.of(10, 20, 30, 40), records.stream().map(r -> r.get("step")).toList());
        assertEquals(0.25, records.get(3).get("loss"), "the resumed run's line replaces the killed run's");
    }

    @Test
    void resumeWithoutAFileStartsOne(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sub").resolve(MetricsLog.FILE_NAME);
        try (MetricsLog log = MetricsLog.resume(file, 100)) {
            log.log(101, entry(1, 1));
        }
        assertEquals(1, MetricsLog.read(file).size());
    }

    @Test
    void aCorruptLineInTheMiddleIsReportedNotSilentlyDropped(@TempDir Path dir) throws Exception {
        Path file = dir.resolve(MetricsLog.FILE_NAME);
        Files.writeString(file, "{\"step\":1}\nnot json\n{\"step\":2}\n");
        java.io.IOException e = assertThrows(java.io.IOException.class, () -> MetricsLog.resume(file, 5));
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
    }
}
