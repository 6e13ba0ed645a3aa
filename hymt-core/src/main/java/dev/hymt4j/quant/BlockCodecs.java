package dev.hymt4j.quant;

import dev.hymt4j.gguf.GgmlType;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** The registry behind {@link BlockCodec#of}, and the byte access the codecs share. */
final class BlockCodecs {
    private BlockCodecs() {}

    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    static final List<BlockCodec> ALL = List.of(new FloatCodec(GgmlType.F32), new FloatCodec(GgmlType.F16),
            new FloatCodec(GgmlType.BF16), new Q4_0Codec(), new Q4_1Codec(), new Q5_0Codec(), new Q5_1Codec(),
            new Q8_0Codec(), new Q4_KCodec(), new Q5_KCodec(), new Q6_KCodec());
    static final Map<GgmlType, BlockCodec> BY_TYPE = new EnumMap<>(GgmlType.class);
    static final String SUPPORTED;

    static {
        for (BlockCodec c : ALL) BY_TYPE.put(c.type(), c);
        SUPPORTED = String.join(", ", ALL.stream().map(c -> c.type().name()).toList());
    }

    static float half(MemorySegment s, long off) {
        return GgmlFloats.fromHalf(s.get(I16, off));
    }

    static int u8(MemorySegment s, long off) {
        return s.get(ValueLayout.JAVA_BYTE, off) & 0xFF;
    }

    static void putHalf(byte[] dst, int off, float v) {
        short h = GgmlFloats.toHalf(v);
        dst[off] = (byte) h;
        dst[off + 1] = (byte) (h >> 8);
    }

    /** Largest magnitude of {@code x[off, off+n)}, keeping its sign; the first one wins ties (ggml's loop). */
    static float signedAbsMax(float[] x, int off, int n) {
        float amax = 0, max = 0;
        for (int j = 0; j < n; j++) {
            float v = x[off + j];
            if (amax < Math.abs(v)) {
                amax = Math.abs(v);
                max = v;
            }
        }
        return max;
    }

    /** F32, F16 and BF16 rows (GGUF stores 1-D norms and unquantized matrices in these). */
    record FloatCodec(GgmlType type) implements BlockCodec {
        @Override
        public void quantize(float[] x, int xOff, int n, byte[] dst, int dstOff) {
            for (int i = 0; i < n; i++) {
                int bits = switch (type) {
                    case F32 -> Float.floatToRawIntBits(x[xOff + i]);
                    case F16 -> GgmlFloats.toHalf(x[xOff + i]);
                    default -> GgmlFloats.toBf16(x[xOff + i]);
                };
                int size = type.typeSize();
                for (int b = 0; b < size; b++) dst[dstOff + i * size + b] = (byte) (bits >> (8 * b));
            }
        }

        @Override
        public void dequantize(MemorySegment src, long srcOff, int n, float[] y, int yOff) {
            switch (type) {
                case F32 -> MemorySegment.copy(src, F32, srcOff, y, yOff, n);
                case F16 -> { for (int i = 0; i < n; i++) y[yOff + i] = GgmlFloats.fromHalf(src.get(I16, srcOff + 2L * i)); }
                default -> { for (int i = 0; i < n; i++) y[yOff + i] = GgmlFloats.fromBf16(src.get(I16, srcOff + 2L * i)); }
            }
        }
    }
}
