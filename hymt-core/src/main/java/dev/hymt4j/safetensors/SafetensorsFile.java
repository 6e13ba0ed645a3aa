package dev.hymt4j.safetensors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A safetensors file mapped into memory (FFM). Tensor data is never copied onto the heap by this class:
 * {@link #data(String)} returns a slice of the mapping. The header is validated completely on open, so a
 * truncated file or a header that lies about offsets fails here, naming the file and the fault, instead of
 * crashing later in a kernel.
 */
public final class SafetensorsFile implements AutoCloseable {
    /** Headers larger than this are refused (the reference implementation's limit is 100 MB). */
    private static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    public static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfShort I16_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfLong I64_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfInt I32_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfDouble F64_LE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path path;
    private final Arena arena;
    private final MemorySegment dataBlock;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;

    private SafetensorsFile(Path path, Arena arena, MemorySegment dataBlock,
                            Map<String, TensorInfo> tensors, Map<String, String> metadata) {
        this.path = path;
        this.arena = arena;
        this.dataBlock = dataBlock;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    /** Maps and validates {@code path}. */
    public static SafetensorsFile open(Path path) throws SafetensorsException {
        if (!Files.isRegularFile(path)) throw new SafetensorsException(path + ": file not found");
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw new SafetensorsException(path + ": truncated: " + size + " bytes, less than the 8-byte header length");
            }
            MemorySegment all = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            long headerLen = all.get(I64_LE, 0);
            if (headerLen < 2 || headerLen > MAX_HEADER_BYTES) {
                throw new SafetensorsException(path + ": corrupt header: header length field is " + headerLen
                        + " (expected 2.." + MAX_HEADER_BYTES + ")");
            }
            if (8 + headerLen > size) {
                throw new SafetensorsException(path + ": truncated: header length says " + headerLen
                        + " bytes but only " + (size - 8) + " follow");
            }
            byte[] headerBytes = all.asSlice(8, headerLen).toArray(ValueLayout.JAVA_BYTE);
            MemorySegment dataBlock = all.asSlice(8 + headerLen);
            Map<String, String> metadata = new LinkedHashMap<>();
            Map<String, TensorInfo> tensors = parseHeader(path, headerBytes, dataBlock.byteSize(), metadata);
            return new SafetensorsFile(path, arena, dataBlock, tensors, metadata);
        } catch (SafetensorsException e) {
            arena.close();
            throw e;
        } catch (IOException e) {
            arena.close();
            throw new SafetensorsException(path + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static Map<String, TensorInfo> parseHeader(Path path, byte[] headerBytes, long dataLen,
                                                       Map<String, String> metadata) throws SafetensorsException {
        JsonNode root;
        try {
            root = JSON.readTree(new String(headerBytes, StandardCharsets.UTF_8).stripTrailing());
        } catch (JsonProcessingException e) {
            throw new SafetensorsException(path + ": corrupt header: not valid JSON (" + e.getOriginalMessage() + ")");
        }
        if (root == null || !root.isObject()) throw new SafetensorsException(path + ": corrupt header: not a JSON object");
        List<TensorInfo> list = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            JsonNode v = e.getValue();
            if (name.equals("__metadata__")) {
                v.fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                continue;
            }
            list.add(parseEntry(path, name, v, dataLen));
        }
        // Sorted by offset, the tensors must tile the data block exactly, as the reference reader demands:
        // an overlap would alias weights, a gap or a short block means the header and the data disagree.
        List<TensorInfo> byOffset = new ArrayList<>(list);
        byOffset.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        long expectedBegin = 0;
        TensorInfo prev = null;
        for (TensorInfo cur : byOffset) {
            if (cur.begin() < expectedBegin) {
                throw new SafetensorsException(path + ": corrupt header: tensors '" + prev.name() + "' [" + prev.begin()
                        + ", " + prev.end() + ") and '" + cur.name() + "' [" + cur.begin() + ", " + cur.end() + ") overlap");
            }
            if (cur.begin() > expectedBegin) {
                throw new SafetensorsException(path + ": corrupt header: " + (cur.begin() - expectedBegin)
                        + " unclaimed bytes before tensor '" + cur.name() + "' at data offset " + expectedBegin);
            }
            expectedBegin = cur.end();
            prev = cur;
        }
        if (expectedBegin != dataLen) {
            throw new SafetensorsException(path + ": corrupt header: tensors end at data offset " + expectedBegin
                    + " but the data block holds " + dataLen + " bytes");
        }
        Map<String, TensorInfo> map = new LinkedHashMap<>();
        for (TensorInfo t : list) map.put(t.name(), t);
        return Collections.unmodifiableMap(map);
    }

    private static TensorInfo parseEntry(Path path, String name, JsonNode v, long dataLen) throws SafetensorsException {
        String where = path + ": tensor '" + name + "'";
        if (!v.isObject()) throw new SafetensorsException(where + ": corrupt header: entry is not an object");
        JsonNode dt = v.get("dtype"), sh = v.get("shape"), off = v.get("data_offsets");
        if (dt == null || !dt.isTextual()) throw new SafetensorsException(where + ": corrupt header: missing field \"dtype\"");
        DType dtype = DType.parse(dt.asText());
        if (dtype == null) throw new SafetensorsException(where + ": unsupported dtype \"" + dt.asText() + "\"");
        if (sh == null || !sh.isArray()) throw new SafetensorsException(where + ": corrupt header: missing field \"shape\"");
        long[] shape = new long[sh.size()];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = sh.get(i);
            if (!d.canConvertToLong() || d.asLong() < 0) {
                throw new SafetensorsException(where + ": corrupt header: shape " + sh + " has a non-natural dimension");
            }
            shape[i] = d.asLong();
            numel = Math.multiplyExact(numel, shape[i]);
        }
        if (off == null || !off.isArray() || off.size() != 2 || !off.get(0).canConvertToLong() || !off.get(1).canConvertToLong()) {
            throw new SafetensorsException(where + ": corrupt header: \"data_offsets\" must be [begin, end]");
        }
        long begin = off.get(0).asLong(), end = off.get(1).asLong();
        if (begin < 0 || end < begin) {
            throw new SafetensorsException(where + ": corrupt header: data_offsets [" + begin + ", " + end + "] are out of order");
        }
        long expected = numel * dtype.bytes();
        if (end - begin != expected) {
            throw new SafetensorsException(where + ": corrupt header: data_offsets [" + begin + ", " + end + "] span "
                    + (end - begin) + " bytes but " + dtype + " " + java.util.Arrays.toString(shape) + " needs " + expected);
        }
        if (end > dataLen) {
            throw new SafetensorsException(where + ": truncated or offsets out of range: data_offsets end at byte " + end
                    + " but the data block holds " + dataLen + " bytes");
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    public Path path() {
        return path;
    }

    /** Tensors in header order. */
    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    public TensorInfo info(String name) throws SafetensorsException {
        TensorInfo t = tensors.get(name);
        if (t == null) throw new SafetensorsException(path + ": missing tensor '" + name + "'");
        return t;
    }

    /** The tensor's bytes as a read-only slice of the mapping (little-endian, C-contiguous). */
    public MemorySegment data(String name) throws SafetensorsException {
        TensorInfo t = info(name);
        return dataBlock.asSlice(t.begin(), t.byteSize());
    }

    /** Copies a floating tensor of any float dtype to a new float array (meant for small tensors). */
    public float[] readFloats(String name) throws SafetensorsException {
        TensorInfo t = info(name);
        return TensorData.toFloats(path + ": tensor '" + name + "'", t.dtype(), data(name), t.numel());
    }

    /** Copies an integer tensor (I64, I32, I16, I8, U8, BOOL) to a new long array. */
    public long[] readLongs(String name) throws SafetensorsException {
        TensorInfo t = info(name);
        return TensorData.toLongs(path + ": tensor '" + name + "'", t.dtype(), data(name), t.numel());
    }

    /** Unmaps the file; segments obtained from it become invalid. */
    @Override
    public void close() {
        arena.close();
    }
}
