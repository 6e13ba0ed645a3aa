package dev.hymt4j.gguf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The GGUF writer and reader against each other and against the byte layout of spec formats.md §5.1–5.3. */
class GgufFileTest {
    @TempDir
    Path dir;

    static byte[] f32Bytes(float... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) b.putFloat(x);
        return b.array();
    }

    @Test
    void everyValueTypeAndTensorRoundTrips() throws IOException {
        GgufWriter w = new GgufWriter();
        w.put("general.architecture", GgufValue.string("hunyuan-dense"));
        w.put("a.u8", new GgufValue(GgufValueType.UINT8, 255L));
        w.put("a.i8", new GgufValue(GgufValueType.INT8, -128L));
        w.put("a.u16", new GgufValue(GgufValueType.UINT16, 65535L));
        w.put("a.i16", new GgufValue(GgufValueType.INT16, -32768L));
        w.put("a.u32", GgufValue.u32(4294967295L));
        w.put("a.i32", GgufValue.i32(-5));
        w.put("a.u64", GgufValue.u64(-1L));
        w.put("a.i64", new GgufValue(GgufValueType.INT64, Long.MIN_VALUE));
        w.put("a.f32", GgufValue.f32(1.5f));
        w.put("a.f64", new GgufValue(GgufValueType.FLOAT64, Math.PI));
        w.put("a.bool", GgufValue.bool(true));
        w.put("a.string", GgufValue.string("你好 ｜▁ ok"));
        w.put("a.strings", GgufValue.strings(List.of("x", "", "Ġthe")));
        w.put("a.ints", GgufValue.i32s(new int[] {1, -2, 3}));
        w.put("a.floats", GgufValue.f32s(new float[] {0.5f, -0.25f}));
        w.put("a.nested", new GgufValue(GgufValueType.ARRAY, new GgufValue.Array(GgufValueType.ARRAY, new GgufValue.Array[] {
                new GgufValue.Array(GgufValueType.UINT8, new long[] {1, 2}), new GgufValue.Array(GgufValueType.STRING, new String[] {"z"})})));
        w.addTensor("a.weight", new long[] {3, 2}, GgmlType.F32, MemorySegment.ofArray(f32Bytes(1, 2, 3, 4, 5, 6)));
        w.addTensor("b.weight", new long[] {32}, GgmlType.Q8_0, MemorySegment.ofArray(new byte[34]));
        Path file = dir.resolve("all.gguf");
        w.write(file);
        assertEquals(w.fileSize(), Files.size(file));
        assertTrue(GgufFile.isGguf(file));

        try (GgufFile f = GgufFile.open(file)) {
            GgufMetadata m = f.metadata();
            assertEquals(3, f.version());
            assertEquals("hunyuan-dense", f.architecture());
            assertEquals(255, m.integer("a.u8", 0));
            assertEquals(-128, m.integer("a.i8", Integer.MIN_VALUE));
            assertEquals(65535, m.integer("a.u16", 0));
            assertEquals(-32768, m.integer("a.i16", Integer.MIN_VALUE));
            assertEquals(4294967295L, m.get("a.u32").orElseThrow().value());
            assertEquals(-5, m.integer("a.i32", Integer.MIN_VALUE));
            assertEquals("18446744073709551615", m.get("a.u64").orElseThrow().describe());
            assertEquals(Long.MIN_VALUE, m.get("a.i64").orElseThrow().value());
            assertEquals(1.5, m.real("a.f32"));
            assertEquals(Math.PI, m.real("a.f64"));
            assertTrue(m.bool("a.bool"));
            assertEquals("你好 ｜▁ ok", m.string("a.string"));
            assertArrayEquals(new String[] {"x", "", "Ġthe"}, m.strings("a.strings"));
            assertArrayEquals(new int[] {1, -2, 3}, m.integers("a.ints"));
            GgufValue.Array nested = (GgufValue.Array) m.get("a.nested").orElseThrow().value();
            assertEquals(2, nested.size());
            assertEquals(List.copyOf(m.asMap().keySet()), List.copyOf(m.asMap().keySet()), "file order kept");
            assertEquals("general.architecture", m.asMap().keySet().iterator().next());

            GgufTensorInfo a = f.info("a.weight");
            assertArrayEquals(new long[] {3, 2}, a.ne());
            assertArrayEquals(new long[] {2, 3}, a.shape());
            assertEquals(24, a.byteSize());
            MemorySegment data = f.data("a.weight");
            assertEquals(6f, data.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 5));
            GgufTensorInfo b = f.info("b.weight");
            assertEquals(32, b.offset(), "24 bytes padded to the 32-byte alignment");
            assertEquals(0, f.dataStart() % 32);
        }
    }

    @Test
    void layoutIsByteForByteTheSpecs() throws IOException {
        GgufWriter w = new GgufWriter();
        w.put("k", GgufValue.u32(7));
        w.addTensor("t", new long[] {2}, GgmlType.F32, MemorySegment.ofArray(f32Bytes(1f, -1f)));
        Path file = dir.resolve("one.gguf");
        w.write(file);
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        // header: magic "GGUF", version 3, one tensor, one key
        assertEquals('G', b.get(0));
        assertEquals('U', b.get(2));
        assertEquals('F', b.get(3));
        assertEquals(3, b.getInt(4));
        assertEquals(1, b.getLong(8));
        assertEquals(1, b.getLong(16));
        // kv: u64 length 1, "k", u32 type 4 (UINT32), u32 7
        assertEquals(1, b.getLong(24));
        assertEquals('k', b.get(32));
        assertEquals(4, b.getInt(33));
        assertEquals(7, b.getInt(37));
        // tensor info: name "t", 1 dim, ne 2, type 0, offset 0
        assertEquals(1, b.getLong(41));
        assertEquals('t', b.get(49));
        assertEquals(1, b.getInt(50));
        assertEquals(2, b.getLong(54));
        assertEquals(0, b.getInt(62));
        assertEquals(0, b.getLong(66));
        // zero padding to 96 (74 rounded up to the 32-byte alignment), then the data, then padding to 128
        for (int i = 74; i < 96; i++) assertEquals(0, b.get(i));
        assertEquals(1f, b.getFloat(96));
        assertEquals(-1f, b.getFloat(100));
        assertEquals(128, b.capacity());
    }

    @Test
    void customAlignmentIsRecordedAndHonoured() throws IOException {
        GgufWriter w = new GgufWriter(64);
        w.addTensor("a", new long[] {1}, GgmlType.F32, MemorySegment.ofArray(f32Bytes(1)));
        w.addTensor("b", new long[] {1}, GgmlType.F32, MemorySegment.ofArray(f32Bytes(2)));
        Path file = dir.resolve("aligned.gguf");
        w.write(file);
        try (GgufFile f = GgufFile.open(file)) {
            assertEquals(64, f.alignment());
            assertEquals(64, f.info("b").offset());
            assertEquals(0, f.dataStart() % 64);
        }
    }

    @Test
    void noFileIsLeftBehindWhenATensorBodyFails() throws IOException {
        GgufWriter w = new GgufWriter();
        w.addTensor("a", new long[] {4}, GgmlType.F32, sink -> sink.write(ByteBuffer.allocate(8)));
        Path file = dir.resolve("short.gguf");
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> w.write(file));
        assertFalse(Files.exists(file));
        try (var files = Files.list(dir)) {
            assertEquals(0, files.count(), "no temporary file left");
        }
    }
}
