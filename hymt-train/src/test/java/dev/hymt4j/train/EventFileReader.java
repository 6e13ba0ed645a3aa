package dev.hymt4j.train;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * An event-file reader independent of {@link TensorBoardWriter}: TFRecord framing with its own CRC check, and
 * protobuf-java's decoder against the field numbers of TensorBoard's {@code tensorboard/compat/proto/event.proto}
 * ({@code Event}: wall_time 1 double, step 2 int64, file_version 3 string, summary 5, session_log 7) and
 * {@code summary.proto} ({@code Summary}: value 1 repeated; {@code Summary.Value}: tag 1 string, simple_value 2 float;
 * {@code SessionLog}: status 1 enum, START = 1). Fields it does not know are skipped, as protobuf parsers do.
 * A CRC mismatch is an error; a truncated last record ends the file.
 */
final class EventFileReader {
    record Scalar(String tag, float value) {}

    record Event(double wallTime, long step, String fileVersion, List<Scalar> scalars, Integer sessionStatus) {}

    static List<Event> read(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        List<Event> events = new ArrayList<>();
        while (b.hasRemaining()) {
            // A run killed mid-write leaves a torn last record; TensorBoard stops reading there, and so do we.
            if (b.remaining() < 12) break;
            byte[] lengthBytes = new byte[8];
            b.get(lengthBytes);
            long length = ByteBuffer.wrap(lengthBytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
            check(b.getInt(), lengthBytes, file, "length");
            if (b.remaining() < length + 4) break;
            byte[] data = new byte[Math.toIntExact(length)];
            b.get(data);
            check(b.getInt(), data, file, "data");
            events.add(parseEvent(CodedInputStream.newInstance(data)));
        }
        return events;
    }

    /** A scalar as TensorBoard plots it: at a step, under a tag. */
    record Point(long step, String tag, float value) {}

    /**
     * The scalars of every event file in {@code logDir}, read in file-name (creation time) order, with TensorBoard's
     * purge of orphaned data: a SessionLog START at step s discards the points logged earlier at steps ≥ s.
     */
    static List<Point> scalarsAsTensorBoardShows(Path logDir) throws IOException {
        List<Path> files;
        try (var entries = Files.list(logDir)) {
            files = entries.filter(p -> p.getFileName().toString().startsWith("events.out.tfevents.")).sorted().toList();
        }
        List<Point> points = new ArrayList<>();
        for (Path f : files) {
            for (Event e : read(f)) {
                if (e.sessionStatus() != null && e.sessionStatus() == 1) points.removeIf(p -> p.step() >= e.step());
                for (Scalar s : e.scalars()) points.add(new Point(e.step(), s.tag(), s.value()));
            }
        }
        return points;
    }

    private static void check(int stored, byte[] bytes, Path file, String what) throws IOException {
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        long c = crc.getValue();
        long masked = (((c >> 15) | (c << 17)) + 0xa282ead8L) & 0xFFFFFFFFL;
        if ((stored & 0xFFFFFFFFL) != masked) throw new IOException(file + ": bad masked CRC32C of record " + what);
    }

    private static Event parseEvent(CodedInputStream in) throws IOException {
        double wallTime = 0;
        long step = 0;
        String fileVersion = null;
        List<Scalar> scalars = new ArrayList<>();
        Integer status = null;
        for (int tag; (tag = in.readTag()) != 0; ) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> wallTime = in.readDouble();
                case 2 -> step = in.readInt64();
                case 3 -> fileVersion = in.readString();
                case 5 -> scalars.addAll(parseSummary(in.readBytes().newCodedInput()));
                case 7 -> status = parseSessionStatus(in.readBytes().newCodedInput());
                default -> in.skipField(tag);
            }
        }
        return new Event(wallTime, step, fileVersion, scalars, status);
    }

    private static List<Scalar> parseSummary(CodedInputStream in) throws IOException {
        List<Scalar> values = new ArrayList<>();
        for (int tag; (tag = in.readTag()) != 0; ) {
            if (WireFormat.getTagFieldNumber(tag) != 1) {
                in.skipField(tag);
                continue;
            }
            CodedInputStream v = in.readBytes().newCodedInput();
            String name = null;
            float value = Float.NaN;
            for (int t; (t = v.readTag()) != 0; ) {
                switch (WireFormat.getTagFieldNumber(t)) {
                    case 1 -> name = v.readString();
                    case 2 -> value = v.readFloat();
                    default -> v.skipField(t);
                }
            }
            values.add(new Scalar(name, value));
        }
        return values;
    }

    private static int parseSessionStatus(CodedInputStream in) throws IOException {
        int status = 0;
        for (int tag; (tag = in.readTag()) != 0; ) {
            if (WireFormat.getTagFieldNumber(tag) == 1) status = in.readEnum();
            else in.skipField(tag);
        }
        return status;
    }
}
