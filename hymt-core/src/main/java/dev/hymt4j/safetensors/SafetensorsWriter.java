package dev.hymt4j.safetensors;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import dev.hymt4j.io.AtomicFile;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes safetensors files byte for byte as the reference writer does (formats spec §1.3): tensors ordered
 * by descending dtype rank then name, compact JSON, space padding to 8 bytes, {@code "format":"pt"}
 * metadata. The file is written under a temporary name and renamed, so a crash never leaves a torn file.
 */
public final class SafetensorsWriter {
    /** The reference writer's dtype rank, low to high; the data block is laid out high rank first. */
    private static final List<DType> RANK = List.of(DType.BOOL, DType.U8, DType.I8, DType.I16, DType.F16,
            DType.BF16, DType.I32, DType.F32, DType.F64, DType.I64);

    /**
     * Produces a tensor's bytes on demand, so that tensors larger than the heap (a random 1.8B model) can be
     * written without ever existing in memory as a whole.
     */
    @FunctionalInterface
    public interface ByteSource {
        /**
         * Fills {@code target} from its position to its limit (little-endian) with the tensor's bytes from
         * {@code byteOffset} on; offsets and lengths are whole elements (chunks are multiples of 8 bytes).
         */
        void fill(long byteOffset, ByteBuffer target);
    }

    /**
     * Data is either a segment (a heap array, or a slice of a mapped input file, copied straight to disk) or,
     * when {@code data} is null, a {@link ByteSource} asked for one chunk at a time.
     */
    private record Entry(String name, DType dtype, long[] shape, long byteSize, MemorySegment data, ByteSource source) {}

    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private final Map<String, String> metadata = new LinkedHashMap<>(Map.of("format", "pt"));

    public SafetensorsWriter metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    /** Adds a tensor from raw little-endian bytes. */
    public SafetensorsWriter add(String name, DType dtype, long[] shape, byte[] bytes) {
        return add(name, dtype, shape, MemorySegment.ofArray(bytes));
    }

    /** Adds a tensor whose little-endian bytes are {@code data} (e.g. a slice of a mapped checkpoint). */
    public SafetensorsWriter add(String name, DType dtype, long[] shape, MemorySegment data) {
        long numel = 1;
        for (long d : shape) numel *= d;
        if (numel * dtype.bytes() != data.byteSize()) {
            throw new IllegalArgumentException("tensor '" + name + "': " + data.byteSize() + " bytes for " + dtype + " "
                    + Arrays.toString(shape));
        }
        return put(new Entry(name, dtype, shape.clone(), data.byteSize(), data, null));
    }

    /** Adds a tensor whose bytes {@code source} produces while the file is written. */
    public SafetensorsWriter add(String name, DType dtype, long[] shape, ByteSource source) {
        long numel = 1;
        for (long d : shape) numel = Math.multiplyExact(numel, d);
        return put(new Entry(name, dtype, shape.clone(), numel * dtype.bytes(), null, source));
    }

    private SafetensorsWriter put(Entry e) {
        if (entries.putIfAbsent(e.name(), e) != null) {
            throw new IllegalArgumentException("tensor '" + e.name() + "' added twice");
        }
        return this;
    }

    /** Adds float data stored as {@code dtype} (F32, BF16 with round-to-nearest-even, or F16). */
    public SafetensorsWriter addFloats(String name, DType dtype, long[] shape, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * dtype.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        switch (dtype) {
            case F32 -> { for (float v : values) b.putFloat(v); }
            case BF16 -> { for (float v : values) b.putShort(TensorData.floatToBf16(v)); }
            case F16 -> { for (float v : values) b.putShort(canonicalF16(v)); }
            case F64 -> { for (float v : values) b.putDouble(v); }
            default -> throw new IllegalArgumentException("tensor '" + name + "': " + dtype + " is not a float dtype");
        }
        return add(name, dtype, shape, b.array());
    }

    public SafetensorsWriter addF32(String name, long[] shape, float[] values) {
        return addFloats(name, DType.F32, shape, values);
    }

    public SafetensorsWriter addI64(String name, long[] shape, long[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) b.putLong(v);
        return add(name, DType.I64, shape, b.array());
    }

    private static short canonicalF16(float v) {
        // Java's conversion matches IEEE RNE; only NaN payloads differ from torch, so normalize them.
        if (Float.isNaN(v)) return (short) (0x7E00 | (Float.floatToRawIntBits(v) >>> 16 & 0x8000));
        return Float.floatToFloat16(v);
    }

    private List<Entry> layoutOrder() {
        List<Entry> order = new ArrayList<>(entries.values());
        order.sort(Comparator.comparingInt((Entry e) -> -RANK.indexOf(e.dtype()))
                .thenComparing(Entry::name, SafetensorsWriter::compareUtf8));
        return order;
    }

    /** The 8-byte length, the JSON header and its space padding. */
    private byte[] headerBytes(List<Entry> order) {
        Map<String, Object> header = new LinkedHashMap<>();
        if (!metadata.isEmpty()) header.put("__metadata__", metadata);
        long offset = 0;
        for (Entry e : order) {
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("dtype", e.dtype().name());
            t.put("shape", e.shape());
            t.put("data_offsets", new long[]{offset, offset + e.byteSize()});
            header.put(e.name(), t);
            offset += e.byteSize();
        }
        byte[] json;
        try {
            json = new ObjectMapper().writeValueAsBytes(header);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        int pad = (8 - json.length % 8) % 8;
        ByteBuffer out = ByteBuffer.allocate(8 + json.length + pad).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(json.length + pad).put(json);
        for (int i = 0; i < pad; i++) out.put((byte) ' ');
        return out.array();
    }

    /** Serializes to memory (small files and tests). */
    public byte[] toBytes() {
        List<Entry> order = layoutOrder();
        byte[] header = headerBytes(order);
        long total = header.length;
        for (Entry e : order) total += e.byteSize();
        byte[] out = new byte[Math.toIntExact(total)];
        System.arraycopy(header, 0, out, 0, header.length);
        int pos = header.length;
        for (Entry e : order) {
            ByteBuffer slice = ByteBuffer.wrap(out, pos, (int) e.byteSize()).slice().order(ByteOrder.LITTLE_ENDIAN);
            if (e.data() != null) MemorySegment.copy(e.data(), 0, MemorySegment.ofBuffer(slice), 0, e.byteSize());
            else e.source().fill(0, slice);
            pos += (int) e.byteSize();
        }
        return out;
    }

    /**
     * Streams the file to {@code target} through a temporary sibling and an atomic rename; tensors are copied
     * from their segments without building the whole file in memory (a merged 1.8B model is 3.6 GB).
     */
    public void write(Path target) throws IOException {
        List<Entry> order = layoutOrder();
        byte[] header = headerBytes(order);
        AtomicFile.write(target, ch -> {
            ch.write(ByteBuffer.wrap(header));
            ByteBuffer generated = null;
            for (Entry e : order) {
                for (long off = 0; off < e.byteSize(); off += CHUNK) {
                    int len = (int) Math.min(CHUNK, e.byteSize() - off);
                    ByteBuffer buf;
                    if (e.data() != null) {
                        buf = e.data().asSlice(off, len).asByteBuffer();
                    } else {
                        if (generated == null) generated = ByteBuffer.allocate((int) CHUNK).order(ByteOrder.LITTLE_ENDIAN);
                        buf = generated.clear().limit(len);
                        e.source().fill(off, buf);
                        buf.position(0).limit(len);
                    }
                    while (buf.hasRemaining()) ch.write(buf);
                }
            }
        });
    }

    private static final long CHUNK = 1 << 26;

    private static int compareUtf8(String a, String b) {
        return Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
