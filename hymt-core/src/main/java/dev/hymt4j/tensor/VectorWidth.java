package dev.hymt4j.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector width every kernel runs at, chosen once per JVM (Lucene's VectorizationProvider pattern):
 * {@code -Dhymt.vector.bits=512|256|128|scalar}, default the CPU's preferred width. A width above what the CPU
 * has is clamped to it (one line on stderr).
 *
 * <p>The species are {@code static final}, which lets C2 fold them into constants in every kernel. A species
 * held in an instance field (e.g. a record per width) is only constant where the kernel is inlined into a
 * caller with a constant receiver; compiled on its own, such a kernel falls back to the Vector API's Java
 * implementation and runs an order of magnitude slower (measured: see the kernels note). Hence one width per
 * JVM, and the per-width tests run in their own JVMs.
 */
public final class VectorWidth {
    /** The CPU's widest float vector, in bits. */
    public static final int MAX_BITS = FloatVector.SPECIES_PREFERRED.vectorBitSize();
    /** What {@code hymt.vector.bits} asked for (0 = scalar), before clamping. */
    public static final int REQUESTED_BITS = parse(System.getProperty("hymt.vector.bits"));
    /** The width the kernels use: 512, 256, 128, or 0 for the scalar reference kernels. */
    public static final int BITS = clamp(REQUESTED_BITS);
    /**
     * The float species of the chosen width, for the vector loops outside {@link Kernels}. With the scalar
     * kernels it is the 128-bit species (those loops have no scalar twin yet).
     */
    public static final VectorSpecies<Float> FLOAT = VectorSpecies.of(float.class, VectorShape.forBitSize(Math.max(BITS, 128)));
    /**
     * The CPU's vector registers, which decide a micro-kernel's tile (its accumulators must stay in registers):
     * 32 with AVX-512 and on AArch64, 16 on an x86 CPU without AVX-512 (AVX2, e.g. AMD Zen 2/3). A tile of 24
     * accumulators spills on the latter. It depends on the CPU, not on {@link #BITS}: 256-bit vectors on an
     * AVX-512 CPU still have 32 registers. {@code -Dhymt.vector.registers=16|32} overrides it (the tests run both
     * tile forms that way; the results are the same bits, only the speed differs).
     */
    public static final int REGISTERS = registers(System.getProperty("hymt.vector.registers"));
    /**
     * Whether the micro-kernels whose tile holds 24 accumulators run as two halves of 12 (they would spill with
     * {@link #REGISTERS} = 16): the dense GEMM, {@code g·W} and the quantized tile path.
     */
    public static final boolean HALF_TILES = REGISTERS < 32;
    /** Ints of the same width as {@link #FLOAT}. */
    public static final VectorSpecies<Integer> INT = VectorSpecies.of(int.class, FLOAT.vectorShape());
    /** Half-width shorts: {@code FLOAT.length()} of them, the BF16/F16 bits that widen to one float vector. */
    public static final VectorSpecies<Short> HALF_SHORT = VectorSpecies.of(short.class, VectorShape.forBitSize(FLOAT.vectorBitSize() / 2));

    private VectorWidth() {}

    /** A line for logs and benchmark headers, e.g. "512-bit vectors (16 floats, 32 registers)" or "scalar kernels". */
    public static String describe() {
        return BITS == 0 ? "scalar kernels" : BITS + "-bit vectors (" + FLOAT.length() + " floats, " + REGISTERS + " registers)";
    }

    static int parse(String value) {
        if (value == null || value.isBlank() || value.equals("max")) return MAX_BITS;
        if (value.equals("scalar") || value.equals("0")) return 0;
        try {
            int bits = Integer.parseInt(value.trim());
            if (bits == 128 || bits == 256 || bits == 512) return bits;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("hymt.vector.bits must be 512, 256, 128, scalar or max, got '" + value + "'");
    }

    static int registers(String value) {
        if (value == null || value.isBlank()) return MAX_BITS >= 512 || "aarch64".equals(System.getProperty("os.arch")) ? 32 : 16;
        if (value.trim().equals("16") || value.trim().equals("32")) return Integer.parseInt(value.trim());
        throw new IllegalArgumentException("hymt.vector.registers must be 16 or 32, got '" + value + "'");
    }

    private static int clamp(int requested) {
        if (requested <= MAX_BITS) return requested;
        System.err.println("hymt.vector.bits=" + requested + " is wider than this CPU's vectors; using " + MAX_BITS);
        return MAX_BITS;
    }
}
