package dev.hymt4j.train;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class TensorBoardWriterTest {
    @Test
    void scalarsReadBackWithTheOfficialFieldNumbers(@TempDir Path dir) throws Exception {
        Path file;
        try (TensorBoardWriter w = TensorBoardWriter.open(dir.resolve("runs"))) {
            file = w.file();
            w.scalar("train/loss", 10, 2.5);
            w.scalar("train/learning_rate", 10, 2e-4);
            // flushed after each write: readable while the writer is still open
            assertEquals(3, EventFileReader.read(file).size());
            w.scalar("eval/chrf", 20, 51.25);
            w.sessionStart(11);
        }
        assertTrue(file.getFileName().toString().matches("events\\.out\\.tfevents\\.\\d{10}\\..+"), file.toString());
        List<EventFileReader.Event> events = EventFileReader.read(file);
        assertEquals(5, events.size());
        assertEquals("brain.Event:2", events.get(0).fileVersion());
        double now = System.currentTimeMillis() / 1000.0;
        assertTrue(Math.abs(events.get(0).wallTime() - now) < 60);

        assertEquals(10, events.get(1).step());
        assertEquals(List.of(new EventFileReader.Scalar("train/loss", 2.5f)), events.get(1).scalars());
        assertEquals(List.of(new EventFileReader.Scalar("train/learning_rate", 2e-4f)), events.get(2).scalars());
        assertEquals(20, events.get(3).step());
        assertEquals(51.25f, events.get(3).scalars().getFirst().value());
        assertEquals(11, events.get(4).step());
        assertEquals(1, events.get(4).sessionStatus(), "SessionLog.START");
    }

    @Test
    void aSecondWriterInTheSameSecondGetsItsOwnFile(@TempDir Path dir) throws Exception {
        try (TensorBoardWriter a = TensorBoardWriter.open(dir); TensorBoardWriter b = TensorBoardWriter.open(dir)) {
            assertNotEquals(a.file(), b.file());
        }
    }

    @Test
    void corruptedRecordIsDetectedByTheIndependentReader(@TempDir Path dir) throws Exception {
        Path file;
        try (TensorBoardWriter w = TensorBoardWriter.open(dir)) {
            file = w.file();
            w.scalar("loss", 1, 1.0);
        }
        byte[] bytes = Files.readAllBytes(file);
        int at = new String(bytes, StandardCharsets.ISO_8859_1).indexOf("loss");
        bytes[at] = 'L';
        Files.write(file, bytes);
        assertThrows(java.io.IOException.class, () -> EventFileReader.read(file));
    }

    @Test
    void maskedCrcOfKnownInput() {
        // CRC32C("123456789") = 0xE3069283 (the standard check value); masked: rotr15 + 0xa282ead8
        int crc = 0xE3069283;
        int expected = ((crc >>> 15) | (crc << 17)) + 0xa282ead8;
        assertEquals(expected, TensorBoardWriter.maskedCrc32c("123456789".getBytes(StandardCharsets.US_ASCII)));
    }
}
