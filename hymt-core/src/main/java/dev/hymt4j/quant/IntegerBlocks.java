package dev.hymt4j.quant;

import dev.hymt4j.gguf.GgmlType;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Optional;

import static dev.hymt4j.quant.BlockCodecs.I16;
import static dev.hymt4j.quant.BlockCodecs.I64;
import static dev.hymt4j.quant.BlockCodecs.u8;

/**
 * A block format's weights as integers times per-group scales, less per-32 mins where the format has them:
 * {@code w[c] = q[c]·scale[c / group] − min[c / 32]}, with {@code q} a {@link #bits}-bit integer and
 * {@code scale}, {@code min} the floats the fused kernels form ({@code d}, {@code d·sc_j}, {@code dmin·m_j}). This
 * is the layout of a weight-decompression matmul (oneDNN's int8 / int4 weights with grouped scales): the
 * quants are read as stored, not decoded to floats per product.
 *
 * @param bits   8 or 4
 * @param signed whether {@code q} is two's complement ({@code Q8_0} −127…127, {@code Q4_0} −8…7) or unsigned
 *               ({@code Q4_K} 0…15)
 * @param group  values per scale (32)
 * @param mins   whether the format subtracts a min per 32 values ({@code Q4_K})
 */
public record IntegerBlocks(GgmlType type, int bits, boolean signed, int group, boolean mins) {
    /**
     * The integer layout of {@code type}, where one is implemented (Q8_0, Q4_0, Q4_K). Q6_K would be int8 with
     * 16-value groups, which oneDNN 3.11 mishandles (its weight-decompression matmul corrupted the native heap in
     * CompressedWeightsTest, AVX-512 BF16 host): it is left out.
     */
    public static Optional<IntegerBlocks> of(GgmlType type) {
        return Optional.ofNullable(switch (type) {
            case Q8_0 -> new IntegerBlocks(type, 8, true, 32, false);
            case Q4_0 -> new IntegerBlocks(type, 4, true, 32, false);
            case Q4_K -> new IntegerBlocks(type, 4, false, 32, true);
            default -> null;
        });
    }

    /**
     * Row {@code r} of {@code m} (of this type): its {@code cols} quants into {@code q} (one per byte, in column
     * order), {@code cols / group} scales into {@code scales} and, with {@link #mins}, {@code cols / 32} min
     * coefficients into {@code minValues}.
     */
    public void row(BlockMatrix m, int r, byte[] q, float[] scales, float[] minValues) {
        if (m.type() != type) throw new IllegalArgumentException("a " + m.type() + " matrix, not " + type);
        MemorySegment data = m.segment();
        long row = r * m.rowBytes;
        int cols = m.cols;
        switch (type) {
            case Q8_0 -> {
                for (int b = 0; b < cols / 32; b++) {
                    long o = row + 34L * b;
                    scales[b] = Float.float16ToFloat(data.get(I16, o));
                    MemorySegment.copy(data, ValueLayout.JAVA_BYTE, o + 2, q, 32 * b, 32);
                }
            }
            case Q4_0 -> {
                for (int b = 0; b < cols / 32; b++) {
                    long o = row + 18L * b;
                    scales[b] = Float.float16ToFloat(data.get(I16, o));
                    for (int j = 0; j < 16; j++) {
                        int v = u8(data, o + 2 + j);
                        q[32 * b + j] = (byte) ((v & 0xF) - 8);
                        q[32 * b + 16 + j] = (byte) ((v >> 4) - 8);
                    }
                }
            }
            case Q4_K -> {
                for (int s = 0; s < cols / 256; s++) {
                    long o = row + 144L * s;
                    long head = data.get(I64, o), packed = data.get(I64, o + 8);
                    float d = Float.float16ToFloat((short) head), dmin = Float.float16ToFloat((short) (head >>> 16));
                    long sc = Q4_KMatrix.scaleBytes(head, packed), mn = Q4_KMatrix.minBytes(packed);
                    for (int j = 0; j < 8; j++) {
                        scales[8 * s + j] = d * QuantVectors.UNSIGNED[(int) (sc >>> 8 * j) & 0xFF];
                        minValues[8 * s + j] = dmin * QuantVectors.UNSIGNED[(int) (mn >>> 8 * j) & 0xFF];
                    }
                    // 64-value chunk c: bytes 16 + 32c …: low nibbles are values 64c …, high nibbles 64c + 32 …
                    for (int c = 0; c < 4; c++) {
                        for (int l = 0; l < 32; l++) {
                            int v = u8(data, o + 16 + 32 * c + l);
                            q[256 * s + 64 * c + l] = (byte) (v & 0xF);
                            q[256 * s + 64 * c + 32 + l] = (byte) (v >> 4);
                        }
                    }
                }
            }
            default -> throw new IllegalStateException(type.name());
        }
    }
}
