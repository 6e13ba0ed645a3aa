package dev.hymt4j.gguf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every way a GGUF file can be broken is refused on open with one message naming the file and the fault. */
class GgufBadInputTest {
    @TempDir
    Path dir;

    /** Builds GGUF bytes field by field, so that a test can write any value anywhere. */
    static final class Raw {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Raw u32(long v) {
            ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) v);
            out.writeBytes(b.array());
            return this;
        }

        Raw u64(long v) {
            out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
            return this;
        }

        Raw u8(int v) {
            out.write(v);
            return this;
        }

        Raw str(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            u64(b.length);
            out.writeBytes(b);
            return this;
        }

        Raw header(long tensors, long kvs) {
            return u32(GgufFile.MAGIC).u32(3).u64(tensors).u64(kvs);
        }

        Raw tensor(String name, long[] ne, int type, long offset) {
            str(name).u32(ne.length);
            for (long d : ne) u64(d);
            return u32(type).u64(offset);
        }

        Raw padTo(int alignment) {
            while (out.size() % alignment != 0) out.write(0);
            return this;
        }

        Raw zeros(int n) {
            out.writeBytes(new byte[n]);
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }

    String fault(byte[] bytes) throws IOException {
        Path file = dir.resolve("bad.gguf");
        Files.write(file, bytes);
        GgufException e = assertThrows(GgufException.class, () -> GgufFile.open(file).close());
        assertTrue(e.getMessage().startsWith(file.toString() + ": "), e.getMessage());
        return e.getMessage().substring(file.toString().length() + 2);
    }

    static void contains(String message, String... parts) {
        for (String p : parts) assertTrue(message.contains(p), "\"" + message + "\" should mention \"" + p + "\"");
    }

    byte[] valid() throws IOException {
        GgufWriter w = new GgufWriter();
        w.put("general.architecture", GgufValue.string("hunyuan-dense"));
        w.addTensor("a.weight", new long[] {64, 2}, GgmlType.Q8_0, MemorySegment.ofArray(new byte[2 * 2 * 34]));
        w.addTensor("b.weight", new long[] {8}, GgmlType.F32, MemorySegment.ofArray(new byte[32]));
        Path file = dir.resolve("valid.gguf");
        w.write(file);
        return Files.readAllBytes(file);
    }

    @Test
    void truncatedAnywhereIsATruncationNamingWhatWasBeingRead() throws IOException {
        byte[] ok = valid();
        try (GgufFile f = GgufFile.open(dir.resolve("valid.gguf"))) {
            assertTrue(f.tensors().size() == 2);
        }
        contains(fault(new byte[0]), "truncated");
        contains(fault(Arrays.copyOf(ok, 6)), "truncated", "the version");
        contains(fault(Arrays.copyOf(ok, 10)), "truncated", "the tensor count");
        contains(fault(Arrays.copyOf(ok, 30)), "truncated");
        contains(fault(Arrays.copyOf(ok, 70)), "truncated", "general.architecture");
        // cut inside the data section: the last tensor no longer fits
        contains(fault(Arrays.copyOf(ok, ok.length - 40)), "truncated or offsets out of range", "'b.weight'", "ends at byte");
    }

    @Test
    void notAGgufFile() throws IOException {
        contains(fault("{\"a\": 1}                 ".getBytes(StandardCharsets.UTF_8)), "not a GGUF file", "7b 22 61 22");
        contains(fault(new Raw().u32(GgufFile.MAGIC).u32(1).u32(0).u32(0).bytes()), "version 1");
        contains(fault(new Raw().u32(GgufFile.MAGIC).u32(0x03000000L).u64(0).u64(0).bytes()), "big-endian");
    }

    @Test
    void lyingOffsetsAndCountsAreRefused() throws IOException {
        // an offset beyond the file
        contains(fault(new Raw().header(1, 0).tensor("t", new long[] {4}, 0, 1L << 40).padTo(32).zeros(16).bytes()),
                "'t'", "data offset", "the tensors before it end at 0");
        // a gap between tensors (second tensor should start at 32)
        contains(fault(new Raw().header(2, 0).tensor("a", new long[] {4}, 0, 0).tensor("b", new long[] {4}, 0, 64)
                .padTo(32).zeros(128).bytes()), "'b'", "data offset 64", "end at 32");
        // overlapping tensors
        contains(fault(new Raw().header(2, 0).tensor("a", new long[] {16}, 0, 0).tensor("b", new long[] {4}, 0, 32)
                .padTo(32).zeros(128).bytes()), "'b'", "data offset 32", "end at 64");
        // an offset that is not aligned
        contains(fault(new Raw().header(1, 0).tensor("t", new long[] {4}, 0, 4).padTo(32).zeros(32).bytes()),
                "not a multiple of the alignment 32");
        // counts that cannot fit in the file
        contains(fault(new Raw().header(1L << 50, 0).bytes()), "tensor count");
        contains(fault(new Raw().header(0, 1L << 50).bytes()), "metadata count");
        // a string longer than the file
        contains(fault(new Raw().header(0, 1).u64(1L << 40).bytes()), "claims", "bytes");
        // an array with more elements than bytes
        contains(fault(new Raw().header(0, 1).str("k").u32(9).u32(4).u64(1L << 40).bytes()), "'k'", "claims", "UINT32 elements");
    }

    @Test
    void unknownTypesAndBadShapesAreRefused() throws IOException {
        contains(fault(new Raw().header(1, 0).tensor("t", new long[] {32}, 99, 0).padTo(32).zeros(64).bytes()),
                "'t'", "unknown ggml tensor type 99");
        contains(fault(new Raw().header(1, 0).tensor("t", new long[] {32}, 4, 0).padTo(32).zeros(64).bytes()),
                "unknown ggml tensor type 4");
        contains(fault(new Raw().header(1, 0).tensor("t", new long[] {48}, 8, 0).padTo(32).zeros(64).bytes()),
                "rows of 48 elements are not a multiple of the Q8_0 block of 32");
        contains(fault(new Raw().header(1, 0).tensor("t", new long[] {1, 1, 1, 1, 1}, 0, 0).padTo(32).zeros(64).bytes()),
                "5 dimensions");
        contains(fault(new Raw().header(1, 0).tensor("t", new long[] {-1}, 0, 0).padTo(32).zeros(64).bytes()),
                "dimension 0", "too large");
        contains(fault(new Raw().header(1, 0).tensor("x".repeat(64), new long[] {1}, 0, 0).padTo(32).zeros(64).bytes()),
                "name is 64 bytes");
        contains(fault(new Raw().header(2, 0).tensor("t", new long[] {8}, 0, 0).tensor("t", new long[] {8}, 0, 32)
                .padTo(32).zeros(64).bytes()), "duplicate tensor 't'");
    }

    @Test
    void badMetadataIsRefused() throws IOException {
        contains(fault(new Raw().header(0, 2).str("k").u32(4).u32(1).str("k").u32(4).u32(2).bytes()), "duplicate key 'k'");
        contains(fault(new Raw().header(0, 1).str("k").u32(13).u32(1).bytes()), "'k'", "unknown value type 13");
        contains(fault(new Raw().header(0, 1).str("k").u32(7).u8(2).bytes()), "'k'", "BOOL of value 2");
        contains(fault(new Raw().header(0, 1).str("").u32(4).u32(1).bytes()), "key 0 is empty");
        contains(fault(new Raw().header(0, 1).str("general.alignment").u32(4).u32(48).bytes()), "general.alignment", "power of two");
        contains(fault(new Raw().header(0, 1).str("k").u32(8).u64(2).u8(0xC3).u8(0x28).bytes()), "'k'", "not valid UTF-8");
    }
}
