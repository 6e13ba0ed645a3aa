package dev.hymt4j.quant;

import dev.hymt4j.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * One ggml block format: quantization exactly as ggml's reference quantizer without an importance matrix
 * ({@code quantize_row_*_ref}, what llama-quantize runs), and dequantization as {@code dequantize_row_*}.
 * Values run along rows in blocks of {@link GgmlType#blockSize()} elements.
 */
public interface BlockCodec {
    GgmlType type();

    /** Quantizes {@code n} values (a multiple of the block size) of {@code x} into {@code dst} from {@code dstOff}. */
    void quantize(float[] x, int xOff, int n, byte[] dst, int dstOff);

    /** Dequantizes {@code n} values starting at byte {@code srcOff} of {@code src} into {@code y}. */
    void dequantize(MemorySegment src, long srcOff, int n, float[] y, int yOff);

    /** The codec of a type: F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q4_K, Q5_K, Q6_K. */
    static BlockCodec of(GgmlType type) {
        BlockCodec c = forType(type);
        if (c == null) throw new IllegalArgumentException("no " + type + " codec (supported: " + BlockCodecs.SUPPORTED + ")");
        return c;
    }

    /** The codec of a type, or null when we have none. */
    static BlockCodec forType(GgmlType type) {
        return BlockCodecs.BY_TYPE.get(type);
    }
}
