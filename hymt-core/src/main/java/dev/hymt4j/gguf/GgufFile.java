package dev.hymt4j.gguf;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A GGUF file (version 2 or 3, little-endian) mapped into memory. The header, every metadata value and every
 * tensor info are validated on open as ggml's own reader does ({@code ggml/src/gguf.cpp}): sizes against the
 * file, alignment, names, dimensions, block multiples, and tensors laid out in order, each padded to the
 * alignment — so a truncated file or one whose offsets lie fails here, naming the file and the fault, instead
 * of crashing later in a kernel. Tensor data is never copied: {@link #data} returns a slice of the mapping.
 */
public final class GgufFile implements AutoCloseable {
    public static final int MAGIC = 0x46554747; // "GGUF" read as a little-endian u32
    public static final int DEFAULT_ALIGNMENT = 32;
    /** ggml's GGML_MAX_NAME: a tensor name must be shorter, as ggml stores it NUL-terminated in 64 bytes. */
    public static final int MAX_NAME_BYTES = 64;
    public static final String KEY_ALIGNMENT = "general.alignment";
    public static final String KEY_ARCHITECTURE = "general.architecture";

    private final Path path;
    private final Arena arena;
    private final int version;
    private final GgufMetadata metadata;
    private final Map<String, GgufTensorInfo> tensors;
    private final int alignment;
    private final long dataStart;
    private final MemorySegment file;

    private GgufFile(Path path, Arena arena, MemorySegment file, int version, GgufMetadata metadata,
                     Map<String, GgufTensorInfo> tensors, int alignment, long dataStart) {
        this.path = path;
        this.arena = arena;
        this.file = file;
        this.version = version;
        this.metadata = metadata;
        this.tensors = tensors;
        this.alignment = alignment;
        this.dataStart = dataStart;
    }

    /** Whether {@code path} starts with the GGUF magic (cheap; reads 4 bytes). */
    public static boolean isGguf(Path path) {
        if (!Files.isRegularFile(path)) return false;
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            while (b.hasRemaining() && ch.read(b) >= 0) { }
            return !b.hasRemaining() && b.getInt(0) == MAGIC;
        } catch (IOException e) {
            return false;
        }
    }

    /** Maps and validates {@code path}. */
    public static GgufFile open(Path path) throws GgufException {
        if (!Files.isRegularFile(path)) throw new GgufException(path + ": file not found");
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            MemorySegment all = size == 0 ? MemorySegment.ofArray(new byte[0]) : ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            return parse(path, arena, all);
        } catch (GgufException e) {
            arena.close();
            throw e;
        } catch (IOException e) {
            arena.close();
            throw new GgufException(path + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static GgufFile parse(Path path, Arena arena, MemorySegment all) throws GgufException {
        Cursor in = new Cursor(path, all);
        if (all.byteSize() < 4) throw new GgufException(path + ": truncated: " + all.byteSize() + " bytes, not a GGUF file");
        int magic = in.u32("the magic");
        if (magic != MAGIC) {
            throw new GgufException(path + ": not a GGUF file (starts with bytes " + hex(all, 4) + ", expected \"GGUF\")");
        }
        long version = in.u32asLong("the version");
        if (version == 1) throw new GgufException(path + ": GGUF version 1 (32-bit counts) is not supported; convert it with a current llama.cpp");
        if (version != 2 && version != 3) {
            throw new GgufException(path + ": unsupported GGUF version " + version + (version > 0xFFFF
                    ? " (a big-endian file? only little-endian GGUF is supported)" : " (expected 2 or 3)"));
        }
        long tensorCount = in.u64("the tensor count");
        long kvCount = in.u64("the metadata count");
        // Every tensor info takes at least 24 bytes and every key-value at least 13: larger counts cannot fit.
        if (tensorCount < 0 || tensorCount > all.byteSize() / 24) {
            throw new GgufException(path + ": truncated or corrupt header: tensor count " + Long.toUnsignedString(tensorCount) + " cannot fit in "
                    + all.byteSize() + " bytes");
        }
        if (kvCount < 0 || kvCount > all.byteSize() / 13) {
            throw new GgufException(path + ": truncated or corrupt header: metadata count " + Long.toUnsignedString(kvCount) + " cannot fit in "
                    + all.byteSize() + " bytes");
        }
        Map<String, GgufValue> kv = new LinkedHashMap<>();
        for (long i = 0; i < kvCount; i++) {
            String key = in.string("the key of metadata entry " + i);
            if (key.isEmpty()) throw new GgufException(path + ": corrupt metadata: key " + i + " is empty");
            if (kv.containsKey(key)) throw new GgufException(path + ": corrupt metadata: duplicate key '" + key + "'");
            long typeId = in.u32asLong("the type of metadata key '" + key + "'");
            GgufValueType type = GgufValueType.byId(typeId);
            if (type == null) throw new GgufException(path + ": corrupt metadata: key '" + key + "' has unknown value type " + typeId);
            kv.put(key, in.value(type, key, 0));
        }
        GgufMetadata metadata = new GgufMetadata(path.toString(), kv);
        int alignment = DEFAULT_ALIGNMENT;
        if (metadata.has(KEY_ALIGNMENT)) {
            GgufValue a = metadata.get(KEY_ALIGNMENT).orElseThrow();
            long value = a.type().isInteger() ? (Long) a.value() : -1;
            if (a.type() != GgufValueType.UINT32 || value == 0 || Long.bitCount(value) != 1) {
                throw new GgufException(path + ": metadata key '" + KEY_ALIGNMENT + "' is " + a.type() + " " + a.describe()
                        + ", expected a UINT32 power of two");
            }
            alignment = (int) value;
        }

        Map<String, GgufTensorInfo> tensors = new LinkedHashMap<>();
        for (long i = 0; i < tensorCount; i++) {
            String name = in.string("the name of tensor " + i);
            String where = path + ": tensor '" + name + "'";
            if (name.getBytes(StandardCharsets.UTF_8).length >= MAX_NAME_BYTES) {
                throw new GgufException(where + ": name is " + name.getBytes(StandardCharsets.UTF_8).length + " bytes, ggml allows at most "
                        + (MAX_NAME_BYTES - 1));
            }
            if (tensors.containsKey(name)) throw new GgufException(path + ": corrupt tensor table: duplicate tensor '" + name + "'");
            long dims = in.u32asLong("the dimension count of tensor '" + name + "'");
            if (dims < 1 || dims > 4) throw new GgufException(where + ": has " + dims + " dimensions, expected 1 to 4");
            long[] ne = new long[(int) dims];
            long elements = 1;
            for (int d = 0; d < dims; d++) {
                ne[d] = in.u64("dimension " + d + " of tensor '" + name + "'");
                if (ne[d] < 0) throw new GgufException(where + ": dimension " + d + " is " + Long.toUnsignedString(ne[d]) + ", too large");
                try {
                    elements = Math.multiplyExact(elements, ne[d]);
                } catch (ArithmeticException e) {
                    throw new GgufException(where + ": shape " + java.util.Arrays.toString(ne) + " has more elements than fit in 64 bits");
                }
            }
            long typeId = in.u32asLong("the type of tensor '" + name + "'");
            GgmlType type = GgmlType.byId(typeId);
            if (type == null) throw new GgufException(where + ": unknown ggml tensor type " + typeId);
            if (ne[0] % type.blockSize() != 0) {
                throw new GgufException(where + ": rows of " + ne[0] + " elements are not a multiple of the " + type + " block of "
                        + type.blockSize());
            }
            long offset = in.u64("the data offset of tensor '" + name + "'");
            if (offset % alignment != 0) {
                throw new GgufException(where + ": data offset " + Long.toUnsignedString(offset) + " is not a multiple of the alignment " + alignment);
            }
            tensors.put(name, new GgufTensorInfo(name, ne, type, offset));
        }
        long dataStart = tensorCount > 0 ? align(in.position(), alignment) : in.position();
        if (dataStart > all.byteSize()) {
            throw new GgufException(path + ": truncated: the data section would start at byte " + dataStart + " but the file has "
                    + all.byteSize());
        }
        // ggml lays tensors out in table order, each padded to the alignment; anything else is a lying offset.
        long expected = 0;
        for (GgufTensorInfo t : tensors.values()) {
            if (t.offset() != expected) {
                throw new GgufException(path + ": tensor '" + t.name() + "': data offset " + Long.toUnsignedString(t.offset())
                        + " but the tensors before it end at " + expected + " (GGUF stores tensors in order, each padded to "
                        + alignment + " bytes)");
            }
            long end = dataStart + t.offset() + t.byteSize();
            if (end > all.byteSize() || end < 0) {
                throw new GgufException(path + ": truncated or offsets out of range: tensor '" + t.name() + "' (" + t.type() + " "
                        + t.neString() + ", " + t.byteSize() + " bytes) ends at byte " + end + " but the file has " + all.byteSize());
            }
            expected = align(t.offset() + t.byteSize(), alignment);
        }
        return new GgufFile(path, arena, all, (int) version, metadata, Collections.unmodifiableMap(tensors), alignment, dataStart);
    }

    static long align(long x, int alignment) {
        return x + (alignment - x % alignment) % alignment;
    }

    private static String hex(MemorySegment s, int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < Math.min(n, s.byteSize()); i++) b.append(String.format("%02x ", s.get(ValueLayout.JAVA_BYTE, i)));
        return b.toString().trim();
    }

    public Path path() {
        return path;
    }

    public int version() {
        return version;
    }

    public GgufMetadata metadata() {
        return metadata;
    }

    /** Tensors in file order. */
    public Map<String, GgufTensorInfo> tensors() {
        return tensors;
    }

    public int alignment() {
        return alignment;
    }

    /** Byte offset of the data section in the file. */
    public long dataStart() {
        return dataStart;
    }

    /** The architecture ({@code general.architecture}). */
    public String architecture() throws GgufException {
        return metadata.string(KEY_ARCHITECTURE);
    }

    public GgufTensorInfo info(String name) throws GgufException {
        GgufTensorInfo t = tensors.get(name);
        if (t == null) throw new GgufException(path + ": missing tensor '" + name + "'");
        return t;
    }

    /** The tensor's bytes, a read-only slice of the mapping. */
    public MemorySegment data(String name) throws GgufException {
        GgufTensorInfo t = info(name);
        return file.asSlice(dataStart + t.offset(), t.byteSize());
    }

    /** Unmaps the file; segments obtained from it become invalid. */
    @Override
    public void close() {
        arena.close();
    }

    /** Bounds-checked little-endian reads from the mapping; a short read is a "truncated" error saying what was read. */
    private static final class Cursor {
        private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        /** Nested arrays deeper than this are refused (a hostile file could otherwise recurse without end). */
        private static final int MAX_DEPTH = 8;

        private final Path path;
        private final MemorySegment s;
        private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        private long pos;

        Cursor(Path path, MemorySegment s) {
            this.path = path;
            this.s = s;
        }

        long position() {
            return pos;
        }

        private void need(long bytes, String what) throws GgufException {
            if (bytes < 0 || pos + bytes > s.byteSize() || pos + bytes < 0) {
                throw new GgufException(path + ": truncated: reading " + what + " needs " + Long.toUnsignedString(bytes) + " bytes at offset "
                        + pos + " but the file has " + s.byteSize());
            }
        }

        int u32(String what) throws GgufException {
            need(4, what);
            int v = s.get(U32, pos);
            pos += 4;
            return v;
        }

        long u32asLong(String what) throws GgufException {
            return u32(what) & 0xFFFFFFFFL;
        }

        long u64(String what) throws GgufException {
            need(8, what);
            long v = s.get(U64, pos);
            pos += 8;
            return v;
        }

        String string(String what) throws GgufException {
            long length = u64("the length of " + what);
            if (length < 0 || length > s.byteSize() - pos) {
                throw new GgufException(path + ": truncated or corrupt: " + what + " claims " + Long.toUnsignedString(length)
                        + " bytes at offset " + pos + " but only " + (s.byteSize() - pos) + " remain");
            }
            ByteBuffer bytes = s.asSlice(pos, length).asByteBuffer();
            pos += length;
            try {
                CharBuffer chars = utf8.decode(bytes);
                return chars.toString();
            } catch (CharacterCodingException e) {
                throw new GgufException(path + ": " + what + " is not valid UTF-8");
            }
        }

        GgufValue value(GgufValueType type, String key, int depth) throws GgufException {
            String what = "the value of metadata key '" + key + "'";
            return switch (type) {
                case UINT8 -> { need(1, what); yield new GgufValue(type, (long) (s.get(ValueLayout.JAVA_BYTE, pos++) & 0xFF)); }
                case INT8 -> { need(1, what); yield new GgufValue(type, (long) s.get(ValueLayout.JAVA_BYTE, pos++)); }
                case UINT16 -> { need(2, what); long v = s.get(U16, pos) & 0xFFFF; pos += 2; yield new GgufValue(type, v); }
                case INT16 -> { need(2, what); long v = s.get(U16, pos); pos += 2; yield new GgufValue(type, v); }
                case UINT32 -> new GgufValue(type, u32asLong(what));
                case INT32 -> new GgufValue(type, (long) u32(what));
                case UINT64, INT64 -> new GgufValue(type, u64(what));
                case FLOAT32 -> { need(4, what); float v = s.get(F32, pos); pos += 4; yield new GgufValue(type, v); }
                case FLOAT64 -> { need(8, what); double v = s.get(F64, pos); pos += 8; yield new GgufValue(type, v); }
                case BOOL -> {
                    need(1, what);
                    byte b = s.get(ValueLayout.JAVA_BYTE, pos++);
                    if (b != 0 && b != 1) throw new GgufException(path + ": corrupt metadata: key '" + key + "' is a BOOL of value " + b + " (expected 0 or 1)");
                    yield new GgufValue(type, b == 1);
                }
                case STRING -> new GgufValue(type, string(what));
                case ARRAY -> new GgufValue(type, array(key, depth));
            };
        }

        private GgufValue.Array array(String key, int depth) throws GgufException {
            if (depth >= MAX_DEPTH) throw new GgufException(path + ": corrupt metadata: key '" + key + "' nests arrays deeper than " + MAX_DEPTH);
            long typeId = u32asLong("the element type of metadata key '" + key + "'");
            GgufValueType element = GgufValueType.byId(typeId);
            if (element == null) throw new GgufException(path + ": corrupt metadata: key '" + key + "' is an array of unknown type " + typeId);
            long count = u64("the element count of metadata key '" + key + "'");
            long minBytes = element.size() > 0 ? element.size() : 8; // strings and arrays carry at least an 8-byte length
            if (count < 0 || count > (s.byteSize() - pos) / minBytes || count > Integer.MAX_VALUE - 16) {
                throw new GgufException(path + ": truncated or corrupt: metadata key '" + key + "' claims " + Long.toUnsignedString(count)
                        + " " + element + " elements at offset " + pos + " but only " + (s.byteSize() - pos) + " bytes remain");
            }
            int n = (int) count;
            Object values = switch (element) {
                case STRING -> {
                    String[] out = new String[n];
                    for (int i = 0; i < n; i++) out[i] = string("element " + i + " of metadata key '" + key + "'");
                    yield out;
                }
                case FLOAT32 -> {
                    float[] out = new float[n];
                    MemorySegment.copy(s, F32, pos, out, 0, n);
                    pos += 4L * n;
                    yield out;
                }
                case FLOAT64 -> {
                    double[] out = new double[n];
                    MemorySegment.copy(s, F64, pos, out, 0, n);
                    pos += 8L * n;
                    yield out;
                }
                case BOOL -> {
                    boolean[] out = new boolean[n];
                    for (int i = 0; i < n; i++) out[i] = (Boolean) value(element, key, depth + 1).value();
                    yield out;
                }
                case ARRAY -> {
                    GgufValue.Array[] out = new GgufValue.Array[n];
                    for (int i = 0; i < n; i++) out[i] = (GgufValue.Array) value(element, key, depth + 1).value();
                    yield out;
                }
                default -> {
                    long[] out = new long[n];
                    for (int i = 0; i < n; i++) out[i] = (Long) value(element, key, depth + 1).value();
                    yield out;
                }
            };
            return new GgufValue.Array(element, values);
        }
    }
}
