package dev.hymt4j.gguf;

import dev.hymt4j.io.AtomicFile;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes a GGUF version 3 file as ggml's {@code gguf_write_to_file} lays it out: header, metadata in insertion
 * order, tensor infos, zero padding to the alignment, then each tensor's data padded to the alignment. Tensor
 * bytes are produced while the file is written ({@link Body}), so a quantized 1.8B model never sits in memory;
 * the file appears under its name only when complete ({@link AtomicFile}).
 */
public final class GgufWriter {
    /** Produces a tensor's bytes in order; the writer checks that exactly the declared size arrives. */
    @FunctionalInterface
    public interface Body {
        void writeTo(Sink sink) throws IOException;
    }

    /** Where a {@link Body} puts its bytes. */
    public interface Sink {
        void write(ByteBuffer bytes) throws IOException;

        default void write(MemorySegment bytes) throws IOException {
            for (long off = 0; off < bytes.byteSize(); off += CHUNK) {
                write(bytes.asSlice(off, Math.min(CHUNK, bytes.byteSize() - off)).asByteBuffer());
            }
        }
    }

    private record Entry(String name, long[] ne, GgmlType type, long offset, Body body) {
        long byteSize() {
            return new GgufTensorInfo(name, ne, type, offset).byteSize();
        }
    }

    private static final int CHUNK = 1 << 24;

    private final int alignment;
    private final Map<String, GgufValue> metadata = new LinkedHashMap<>();
    private final List<Entry> tensors = new ArrayList<>();
    private final Set<String> names = new LinkedHashSet<>();
    private long dataSize;

    public GgufWriter() {
        this(GgufFile.DEFAULT_ALIGNMENT);
    }

    /** A writer with a non-default alignment (recorded as {@code general.alignment}). */
    public GgufWriter(int alignment) {
        if (alignment < 8 || Integer.bitCount(alignment) != 1) throw new IllegalArgumentException("alignment must be a power of two ≥ 8, got " + alignment);
        this.alignment = alignment;
        if (alignment != GgufFile.DEFAULT_ALIGNMENT) metadata.put(GgufFile.KEY_ALIGNMENT, GgufValue.u32(alignment));
    }

    /** Sets a metadata value; a key set again keeps its first position, as gguf_set_* does. */
    public GgufWriter put(String key, GgufValue value) {
        if (key.equals(GgufFile.KEY_ALIGNMENT)) throw new IllegalArgumentException("set the alignment through the constructor");
        metadata.put(key, value);
        return this;
    }

    public GgufWriter putAll(GgufMetadata values) {
        values.asMap().forEach((k, v) -> {
            if (!k.equals(GgufFile.KEY_ALIGNMENT)) put(k, v);
        });
        return this;
    }

    public GgufWriter remove(String key) {
        metadata.remove(key);
        return this;
    }

    /** Adds a tensor whose bytes {@code body} writes; {@code ne} in ggml order (fastest dimension first). */
    public GgufWriter addTensor(String name, long[] ne, GgmlType type, Body body) {
        if (name.getBytes(StandardCharsets.UTF_8).length >= GgufFile.MAX_NAME_BYTES) {
            throw new IllegalArgumentException("tensor name '" + name + "' is longer than ggml's " + (GgufFile.MAX_NAME_BYTES - 1) + " bytes");
        }
        if (!names.add(name)) throw new IllegalArgumentException("tensor '" + name + "' added twice");
        if (ne.length < 1 || ne.length > 4) throw new IllegalArgumentException("tensor '" + name + "': " + ne.length + " dimensions");
        if (ne[0] % type.blockSize() != 0) {
            throw new IllegalArgumentException("tensor '" + name + "': rows of " + ne[0] + " are not a multiple of the " + type + " block " + type.blockSize());
        }
        Entry e = new Entry(name, ne.clone(), type, dataSize, body);
        tensors.add(e);
        dataSize = GgufFile.align(dataSize + e.byteSize(), alignment);
        return this;
    }

    /** Adds a tensor from bytes already in memory or mapped from another file. */
    public GgufWriter addTensor(String name, long[] ne, GgmlType type, MemorySegment data) {
        long expected = new GgufTensorInfo(name, ne, type, 0).byteSize();
        if (data.byteSize() != expected) {
            throw new IllegalArgumentException("tensor '" + name + "': " + data.byteSize() + " bytes for " + type + " " + java.util.Arrays.toString(ne)
                    + ", expected " + expected);
        }
        return addTensor(name, ne, type, sink -> sink.write(data));
    }

    /** Writes the file through a temporary sibling and an atomic rename. */
    public void write(Path target) throws IOException {
        byte[] header = header();
        AtomicFile.write(target, ch -> {
            writeFully(ch, ByteBuffer.wrap(header));
            long position = header.length;
            for (Entry e : tensors) {
                long[] written = {0};
                e.body().writeTo(bytes -> {
                    written[0] += bytes.remaining();
                    if (written[0] > e.byteSize()) {
                        throw new IllegalStateException("tensor '" + e.name() + "' produced more than its " + e.byteSize() + " bytes");
                    }
                    writeFully(ch, bytes);
                });
                if (written[0] != e.byteSize()) {
                    throw new IllegalStateException("tensor '" + e.name() + "' produced " + written[0] + " of its " + e.byteSize() + " bytes");
                }
                position += written[0];
                position = pad(ch, position);
            }
        });
    }

    /** Total bytes the file will have. */
    public long fileSize() {
        return header().length + dataSize;
    }

    private long pad(FileChannel ch, long position) throws IOException {
        int padding = (int) (GgufFile.align(position, alignment) - position);
        if (padding > 0) writeFully(ch, ByteBuffer.allocate(padding));
        return position + padding;
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) ch.write(b);
    }

    /** Header, metadata, tensor infos and the padding before the data section. */
    private byte[] header() {
        Out out = new Out();
        out.u32(GgufFile.MAGIC);
        out.u32(3);
        out.u64(tensors.size());
        out.u64(metadata.size());
        metadata.forEach((key, value) -> {
            out.string(key);
            out.u32(value.type().id());
            out.value(value);
        });
        for (Entry e : tensors) {
            out.string(e.name());
            out.u32(e.ne().length);
            for (long d : e.ne()) out.u64(d);
            out.u32(e.type().id());
            out.u64(e.offset());
        }
        if (!tensors.isEmpty()) while (out.size() % alignment != 0) out.u8(0);
        return out.toByteArray();
    }

    /** A growable little-endian byte buffer. */
    private static final class Out {
        private ByteBuffer b = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);

        private void room(int n) {
            if (b.remaining() < n) {
                ByteBuffer bigger = ByteBuffer.allocate(Math.max(b.capacity() * 2, b.position() + n)).order(ByteOrder.LITTLE_ENDIAN);
                b.flip();
                bigger.put(b);
                b = bigger;
            }
        }

        int size() {
            return b.position();
        }

        void u8(int v) {
            room(1);
            b.put((byte) v);
        }

        void u16(int v) {
            room(2);
            b.putShort((short) v);
        }

        void u32(long v) {
            room(4);
            b.putInt((int) v);
        }

        void u64(long v) {
            room(8);
            b.putLong(v);
        }

        void string(String s) {
            byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
            u64(bytes.length);
            room(bytes.length);
            b.put(bytes);
        }

        void value(GgufValue v) {
            switch (v.type()) {
                case UINT8, INT8 -> u8(((Long) v.value()).intValue());
                case UINT16, INT16 -> u16(((Long) v.value()).intValue());
                case UINT32, INT32 -> u32((Long) v.value());
                case UINT64, INT64 -> u64((Long) v.value());
                case FLOAT32 -> u32(Float.floatToRawIntBits((Float) v.value()));
                case FLOAT64 -> u64(Double.doubleToRawLongBits((Double) v.value()));
                case BOOL -> u8((Boolean) v.value() ? 1 : 0);
                case STRING -> string((String) v.value());
                case ARRAY -> array((GgufValue.Array) v.value());
            }
        }

        void array(GgufValue.Array a) {
            u32(a.elementType().id());
            u64(a.size());
            for (int i = 0; i < a.size(); i++) {
                Object element = switch (a.elementType()) {
                    case STRING -> ((String[]) a.values())[i];
                    case FLOAT32 -> ((float[]) a.values())[i];
                    case FLOAT64 -> ((double[]) a.values())[i];
                    case BOOL -> ((boolean[]) a.values())[i];
                    case ARRAY -> ((GgufValue.Array[]) a.values())[i];
                    default -> ((long[]) a.values())[i];
                };
                value(new GgufValue(a.elementType(), element));
            }
        }

        byte[] toByteArray() {
            return java.util.Arrays.copyOf(b.array(), b.position());
        }
    }
}
