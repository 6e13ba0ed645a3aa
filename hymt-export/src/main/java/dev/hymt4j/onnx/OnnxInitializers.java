package dev.hymt4j.onnx;

import com.google.protobuf.ByteString;
import dev.hymt4j.io.AtomicFile;
import dev.hymt4j.onnx.proto.OnnxProto.GraphProto;
import dev.hymt4j.onnx.proto.OnnxProto.StringStringEntryProto;
import dev.hymt4j.onnx.proto.OnnxProto.TensorProto;
import dev.hymt4j.safetensors.SafetensorsWriter.ByteSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The weights of an exported graph. Each initializer's bytes are produced on demand ({@link ByteSource}, as for
 * safetensors), so a 1.8B model never exists on the heap as a whole. A model whose weights would not fit one
 * protobuf message (2 GiB, formats spec §6.2) stores every initializer of 1 KiB or more in
 * {@code model.onnx.data} beside it (onnxruntime-genai's name), each at an offset aligned to 4096 bytes (mmap),
 * with {@code location}/{@code offset}/{@code length} entries; smaller ones stay inline.
 */
final class OnnxInitializers {
    static final String DATA_FILE = "model.onnx.data";
    /** Above this total the weights go to external data (the protobuf limit is 2 GiB, leave room for the graph). */
    static final long INLINE_LIMIT = 1800L << 20;
    private static final long ALIGN = 4096, EXTERNAL_MIN = 1024, CHUNK = 1 << 24;

    private record Entry(String name, int dataType, long[] dims, long bytes, ByteSource source) {}

    private final List<Entry> entries = new ArrayList<>();
    private long total;

    /** Registers a tensor; returns its name (for node inputs). */
    String add(String name, int dataType, long[] dims, long bytes, ByteSource source) {
        entries.add(new Entry(name, dataType, dims.clone(), bytes, source));
        total += bytes;
        return name;
    }

    /** A float32 tensor from values on the heap (small: norms, frequencies). */
    String addFloats(String name, long[] dims, float[] values) {
        return add(name, OnnxGraph.FLOAT, dims, 4L * values.length, (offset, target) -> {
            int first = (int) (offset / 4);
            for (int i = 0; target.remaining() >= 4; i++) target.putFloat(values[first + i]);
        });
    }

    long totalBytes() {
        return total;
    }

    /**
     * Adds every initializer to {@code graph}; with {@code external} their bytes go to {@link #DATA_FILE} in
     * {@code dir} (written now), else inline.
     */
    void emit(GraphProto.Builder graph, Path dir, boolean external) throws IOException {
        if (!external) {
            for (Entry e : entries) graph.addInitializer(tensor(e).setRawData(ByteString.copyFrom(bytes(e))));
            return;
        }
        List<TensorProto> protos = new ArrayList<>();
        AtomicFile.write(dir.resolve(DATA_FILE), ch -> {
            long position = 0;
            ByteBuffer buffer = ByteBuffer.allocate((int) CHUNK).order(ByteOrder.LITTLE_ENDIAN);
            for (Entry e : entries) {
                if (e.bytes() < EXTERNAL_MIN) {
                    protos.add(tensor(e).setRawData(ByteString.copyFrom(bytes(e))).build());
                    continue;
                }
                long start = (position + ALIGN - 1) / ALIGN * ALIGN;
                if (start > position) ch.write(ByteBuffer.allocate((int) (start - position)));
                for (long off = 0; off < e.bytes(); off += CHUNK) {
                    int len = (int) Math.min(CHUNK, e.bytes() - off);
                    buffer.clear().limit(len);
                    e.source().fill(off, buffer);
                    buffer.flip();
                    while (buffer.hasRemaining()) ch.write(buffer);
                }
                position = start + e.bytes();
                protos.add(tensor(e).setDataLocation(TensorProto.DataLocation.EXTERNAL)
                        .addExternalData(entry("location", DATA_FILE))
                        .addExternalData(entry("offset", Long.toString(start)))
                        .addExternalData(entry("length", Long.toString(e.bytes()))).build());
            }
        });
        graph.addAllInitializer(protos);
    }

    private static TensorProto.Builder tensor(Entry e) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(e.name()).setDataType(e.dataType());
        for (long d : e.dims()) t.addDims(d);
        return t;
    }

    private static byte[] bytes(Entry e) {
        byte[] out = new byte[Math.toIntExact(e.bytes())];
        ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        for (long off = 0; off < e.bytes(); off += CHUNK) {
            int len = (int) Math.min(CHUNK, e.bytes() - off);
            ByteBuffer slice = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            slice.position((int) off).limit((int) off + len);
            e.source().fill(off, slice.slice().order(ByteOrder.LITTLE_ENDIAN));
        }
        return out;
    }

    private static StringStringEntryProto entry(String key, String value) {
        return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }
}
