package dev.hymt4j.weights;

import dev.hymt4j.gguf.GgmlType;
import dev.hymt4j.quant.Q4_0Matrix;
import dev.hymt4j.quant.Q4_KMatrix;
import dev.hymt4j.quant.Q5_KMatrix;
import dev.hymt4j.quant.Q6_KMatrix;
import dev.hymt4j.quant.Q8_0Matrix;
import dev.hymt4j.quant.RowDecodingMatrix;
import dev.hymt4j.safetensors.DType;
import dev.hymt4j.tensor.MappedMatrix;
import dev.hymt4j.tensor.Matrix;

import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The {@link Matrix} class of each single-tensor storage format, chosen when weights are loaded: a weight
 * source hands over the raw bytes of a tensor and its format name, and gets the matrix that computes on that
 * format directly (no conversion to float at load). New formats (GGUF block types, …) add an entry here.
 * Formats made of several tensors (GPTQ's qweight + scales + zeros) are assembled by their weight source.
 */
public final class MatrixFormats {
    /** Builds the matrix of one format over a tensor's bytes {@code [rows, cols]}, row-major. */
    @FunctionalInterface
    public interface Factory {
        Matrix create(MemorySegment data, int rows, int cols);
    }

    private static final Map<String, Factory> FACTORIES = Map.ofEntries(
            Map.entry("F32", (data, rows, cols) -> new MappedMatrix(data, DType.F32, rows, cols)),
            Map.entry("BF16", (data, rows, cols) -> new MappedMatrix(data, DType.BF16, rows, cols)),
            Map.entry("F16", (data, rows, cols) -> new MappedMatrix(data, DType.F16, rows, cols)),
            // GGUF block types (names as ggml spells them): a fused kernel each, or decode-and-dot for the
            // rare fallback types.
            Map.entry("Q8_0", Q8_0Matrix::new),
            Map.entry("Q4_0", Q4_0Matrix::new),
            Map.entry("Q4_K", Q4_KMatrix::new),
            Map.entry("Q5_K", Q5_KMatrix::new),
            Map.entry("Q6_K", Q6_KMatrix::new),
            Map.entry("Q4_1", (data, rows, cols) -> new RowDecodingMatrix(GgmlType.Q4_1, data, rows, cols)),
            Map.entry("Q5_0", (data, rows, cols) -> new RowDecodingMatrix(GgmlType.Q5_0, data, rows, cols)),
            Map.entry("Q5_1", (data, rows, cols) -> new RowDecodingMatrix(GgmlType.Q5_1, data, rows, cols)));

    private MatrixFormats() {}

    public static boolean supports(String format) {
        return FACTORIES.containsKey(format);
    }

    /** The format names there is a matrix for, sorted (for messages). */
    public static Set<String> names() {
        return new TreeSet<>(FACTORIES.keySet());
    }

    /** The matrix of {@code format} over {@code data}; the caller has checked that the format is supported. */
    public static Matrix create(String format, MemorySegment data, int rows, int cols) {
        Factory f = FACTORIES.get(format);
        if (f == null) throw new IllegalArgumentException("no matrix for storage format " + format + " (supported: " + names() + ")");
        return f.create(data, rows, cols);
    }
}
