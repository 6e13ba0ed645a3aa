package dev.hymt4j.train;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * Writes a TensorBoard event file, {@code events.out.tfevents.{seconds}.{host}}, that TensorBoard reads as a run:
 * TFRecord framing (uint64 length, masked CRC32C of the length, the data, masked CRC32C of the data) around
 * {@code tensorboard.Event} messages, hand-encoded in the protobuf wire format. Field numbers are those of
 * TensorBoard's {@code event.proto} and {@code summary.proto}. Each record goes to the OS in one write, so a killed
 * run loses at most the record being written, and TensorBoard skips a torn last record.
 */
public final class TensorBoardWriter implements Closeable {
    static final String FILE_VERSION = "brain.Event:2";

    // tensorboard.Event
    private static final int EVENT_WALL_TIME = 1;     // double
    private static final int EVENT_STEP = 2;          // int64
    private static final int EVENT_FILE_VERSION = 3;  // string
    private static final int EVENT_SUMMARY = 5;       // Summary
    private static final int EVENT_SESSION_LOG = 7;   // SessionLog
    // tensorboard.Summary and Summary.Value
    private static final int SUMMARY_VALUE = 1;       // repeated Value
    private static final int VALUE_TAG = 1;           // string
    private static final int VALUE_SIMPLE_VALUE = 2;  // float
    // tensorboard.SessionLog
    private static final int SESSION_LOG_STATUS = 1;  // enum SessionStatus
    private static final int SESSION_STATUS_START = 1;

    private static final int WIRE_VARINT = 0, WIRE_FIXED64 = 1, WIRE_LENGTH_DELIMITED = 2, WIRE_FIXED32 = 5;

    private final Path file;
    private final FileChannel channel;

    private TensorBoardWriter(Path file, FileChannel channel) {
        this.file = file;
        this.channel = channel;
    }

    /**
     * Starts a new event file in {@code logDir} (created if missing) and writes the file-version event. A run that
     * resumes opens a new file in the same folder and calls {@link #sessionStart(long)}.
     */
    public static TensorBoardWriter open(Path logDir) throws IOException {
        Files.createDirectories(logDir);
        String base = "events.out.tfevents." + System.currentTimeMillis() / 1000 + "." + hostName();
        for (int attempt = 0; ; attempt++) {
            // Two writers started in the same second (a quick restart) must not share a file.
            Path file = logDir.resolve(attempt == 0 ? base : base + "." + attempt);
            try {
                FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                TensorBoardWriter w = new TensorBoardWriter(file, ch);
                Proto event = new Proto().fixed64Double(EVENT_WALL_TIME, wallTime()).int64(EVENT_STEP, 0)
                        .string(EVENT_FILE_VERSION, FILE_VERSION);
                w.writeRecord(event.bytes());
                return w;
            } catch (FileAlreadyExistsException e) {
                if (attempt > 100) throw e;
            }
        }
    }

    public Path file() {
        return file;
    }

    /** A scalar summary ({@code Summary.Value{tag, simple_value}}); TensorBoard stores scalars as float32. */
    public void scalar(String tag, long step, double value) throws IOException {
        Proto v = new Proto().string(VALUE_TAG, tag).fixed32Float(VALUE_SIMPLE_VALUE, (float) value);
        Proto summary = new Proto().message(SUMMARY_VALUE, v);
        writeRecord(new Proto().fixed64Double(EVENT_WALL_TIME, wallTime()).int64(EVENT_STEP, step)
                .message(EVENT_SUMMARY, summary).bytes());
    }

    /**
     * Marks a restart at {@code firstStep}: TensorBoard then discards events with step ≥ {@code firstStep} from
     * earlier files (those a killed run logged after its last checkpoint), so resumed curves have no duplicates.
     */
    public void sessionStart(long firstStep) throws IOException {
        Proto log = new Proto().varint(SESSION_LOG_STATUS, SESSION_STATUS_START);
        writeRecord(new Proto().fixed64Double(EVENT_WALL_TIME, wallTime()).int64(EVENT_STEP, firstStep)
                .message(EVENT_SESSION_LOG, log).bytes());
    }

    private void writeRecord(byte[] data) throws IOException {
        ByteBuffer record = ByteBuffer.allocate(8 + 4 + data.length + 4).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, data.length);
        record.putLong(data.length).putInt(maskedCrc32c(length.array())).put(data).putInt(maskedCrc32c(data)).flip();
        while (record.hasRemaining()) channel.write(record);
    }

    /** TFRecord's CRC: CRC32C rotated right by 15 bits plus a constant, so CRCs of CRCs don't look valid. */
    static int maskedCrc32c(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        int c = (int) crc.getValue();
        return ((c >>> 15) | (c << 17)) + 0xa282ead8;
    }

    private static double wallTime() {
        return System.currentTimeMillis() / 1000.0;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    /** Just enough of the protobuf wire format for events: fields in the order they are added. */
    private static final class Proto {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Proto varint(int field, long value) {
            tag(field, WIRE_VARINT);
            rawVarint(value);
            return this;
        }

        Proto int64(int field, long value) {
            return varint(field, value);
        }

        Proto fixed64Double(int field, double value) {
            tag(field, WIRE_FIXED64);
            long bits = Double.doubleToRawLongBits(value);
            for (int i = 0; i < 8; i++) out.write((int) (bits >>> (8 * i)));
            return this;
        }

        Proto fixed32Float(int field, float value) {
            tag(field, WIRE_FIXED32);
            int bits = Float.floatToRawIntBits(value);
            for (int i = 0; i < 4; i++) out.write(bits >>> (8 * i));
            return this;
        }

        Proto string(int field, String value) {
            return lengthDelimited(field, value.getBytes(StandardCharsets.UTF_8));
        }

        Proto message(int field, Proto message) {
            return lengthDelimited(field, message.bytes());
        }

        private Proto lengthDelimited(int field, byte[] bytes) {
            tag(field, WIRE_LENGTH_DELIMITED);
            rawVarint(bytes.length);
            out.writeBytes(bytes);
            return this;
        }

        private void tag(int field, int wireType) {
            rawVarint((long) field << 3 | wireType);
        }

        private void rawVarint(long v) {
            while ((v & ~0x7FL) != 0) {
                out.write((int) (v & 0x7F) | 0x80);
                v >>>= 7;
            }
            out.write((int) v);
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }
}
