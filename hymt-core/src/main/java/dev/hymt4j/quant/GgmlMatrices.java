package dev.hymt4j.quant;

import dev.hymt4j.gguf.GgmlType;
import dev.hymt4j.safetensors.DType;
import dev.hymt4j.tensor.MappedMatrix;
import dev.hymt4j.tensor.Matrix;

import java.lang.foreign.MemorySegment;

/** The {@link Matrix} for a ggml tensor's bytes: the format's own kernel over the (mapped) segment, no copy. */
public final class GgmlMatrices {
    private GgmlMatrices() {}

    /** Whether {@link #of} accepts {@code type}. */
    public static boolean supported(GgmlType type) {
        return switch (type) {
            case F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q5_K, Q6_K -> true;
            default -> false;
        };
    }

    /** A matrix {@code [rows, cols]} (PyTorch order; GGUF {@code ne = [cols, rows]}) over {@code data}. */
    public static Matrix of(GgmlType type, MemorySegment data, int rows, int cols) {
        return switch (type) {
            case F32 -> new MappedMatrix(data, DType.F32, rows, cols);
            case F16 -> new MappedMatrix(data, DType.F16, rows, cols);
            case BF16 -> new MappedMatrix(data, DType.BF16, rows, cols);
            case Q8_0 -> new Q8_0Matrix(data, rows, cols);
            case Q4_0 -> new Q4_0Matrix(data, rows, cols);
            case Q4_K -> new Q4_KMatrix(data, rows, cols);
            case Q5_K -> new Q5_KMatrix(data, rows, cols);
            case Q6_K -> new Q6_KMatrix(data, rows, cols);
            case Q4_1, Q5_0, Q5_1 -> new RowDecodingMatrix(type, data, rows, cols);
            default -> throw new IllegalArgumentException("no kernel for ggml type " + type);
        };
    }
}
