package dev.hymt4j.weights;

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

    private static final Map<String, Factory> FACTORIES = Map.of(
            "F32", (data, rows, cols) -> new MappedMatrix(data, DType.F32, rows, cols),
            "BF16", (data, rows, cols) -> new MappedMatrix(data, DType.BF16, rows, cols),
            "F16", (data, rows, cols) -> new MappedMatrix(data, DType.F16, rows, cols));

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
