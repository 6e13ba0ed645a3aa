package dev.hymt4j.onednn;

import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.reorder;
import org.bytedeco.javacpp.BytePointer;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicLong;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;

/**
 * A copy of mapped weights in the blocked layout a oneDNN matmul asks for ({@code format_tag::any}): its BF16
 * kernels read the mapping's plain rows 1.15–1.25× slower than their own layout (measured on AMD Zen 4 class,
 * AVX-512 BF16, 2 threads, a standalone probe on 2026-12-06: 2048 → 6144 at 128 tokens, 348–377 against 402–426
 * GFLOP/s; a whole LoRA step 1.05–1.11×), because each K-pair of
 * weights must be interleaved ({@code vdpbf16ps} multiplies pairs) as it is read. The copy is made once, on first
 * use, by a oneDNN reorder, and lives in native memory (never the Java heap) as long as its matrix does. The
 * layout changes where the weights are read from, not the arithmetic: products equal those from the mapping bit for
 * bit (tested), so a run repeats, and resumes, whatever the budget.
 *
 * <p>It costs the matrix's size again, per direction (the transposed product {@code g·W} wants another layout), so
 * copies come out of one process-wide {@linkplain #BUDGET budget}: a matrix that does not fit reads the mapping, as
 * before. The default budget is a third of the machine's memory ({@code -Dhymt.onednn.packBytes=N} sets it, 0 turns
 * packing off): the 1.8B model's projections and head take 3.6 GB per direction, so both fit on a 24 GB machine;
 * the 7B's do not, and then the layers reached first (the forward pass) are packed and the rest read the mapping.
 */
final class PackedWeights {
    private static final String PROPERTY = "hymt.onednn.packBytes";
    /** Why {@code -Dhymt.onednn.packBytes} cannot be read, or null; {@link #budgetLine} reports it (a class initializer cannot). */
    private static final String SETTING_ERROR;
    /** The budget at start-up: a third of the machine's memory unless the property sets it (0 where it is wrong). */
    private static final long INITIAL;
    static {
        long initial = 0;
        String error = null;
        try {
            initial = budget(System.getProperty(PROPERTY),
                    ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize());
        } catch (IllegalArgumentException e) {
            error = e.getMessage();
        }
        INITIAL = initial;
        SETTING_ERROR = error;
    }
    /** Bytes still free for packed copies, process-wide; a copy's bytes come back when its matrix is collected. */
    static final AtomicLong BUDGET = new AtomicLong(INITIAL);
    private static final Cleaner CLEANER = Cleaner.create();

    final memory.desc desc;
    /** Keeps the native copy alive as long as this object is. */
    private final MemorySegment copy;
    final BytePointer pointer;

    private PackedWeights(memory.desc desc, MemorySegment copy) {
        this.desc = desc;
        this.copy = copy;
        this.pointer = new BytePointer(copy.asByteBuffer());
    }

    /**
     * {@code weights} (laid out as {@code plain}) reordered into {@code packed}, or null where the copy would not fit
     * what is left of {@code budget} (or one buffer).
     */
    static PackedWeights reorder(OneDnn dnn, memory.desc plain, BytePointer weights, memory.desc packed, AtomicLong budget) {
        long bytes = packed.get_size();
        if (bytes > Integer.MAX_VALUE || !reserve(budget, bytes)) return null;
        MemorySegment copy = Arena.ofAuto().allocate(bytes, 64);
        PackedWeights p = new PackedWeights(packed, copy);
        CLEANER.register(p, () -> budget.addAndGet(bytes));
        try (reorder.primitive_desc pd = new reorder.primitive_desc(dnn.engine(), plain, dnn.engine(), packed);
             reorder r = new reorder(pd)) {
            dnn.execute(r, OneDnn.Arg.pointer(DNNL_ARG_SRC, plain, weights), OneDnn.Arg.pointer(DNNL_ARG_DST, packed, p.pointer));
        }
        return p;
    }

    private static boolean reserve(AtomicLong budget, long bytes) {
        for (long left = budget.get(); ; left = budget.get()) {
            if (left < bytes) return false;
            if (budget.compareAndSet(left, left - bytes)) return true;
        }
    }

    long bytes() {
        return copy.byteSize();
    }

    /**
     * The budget's size in GB, for the backends' log line; an unreadable {@code -Dhymt.onednn.packBytes} is an
     * {@link IllegalArgumentException} here, where the backend is chosen.
     */
    static String budgetLine() {
        if (SETTING_ERROR != null) throw new IllegalArgumentException(SETTING_ERROR);
        return String.format(java.util.Locale.ROOT, "weights packed into oneDNN's layout on first use within %.1f GB (-D%s)", INITIAL / 1e9, PROPERTY);
    }

    /** The budget {@code setting} asks for (a byte count, 0 turns packing off), or a third of {@code totalMemory} where it is null. */
    static long budget(String setting, long totalMemory) {
        if (setting == null) return totalMemory / 3;
        try {
            long bytes = Long.parseLong(setting.trim());
            if (bytes >= 0) return bytes;
        } catch (NumberFormatException ignored) {
            // falls through to the error
        }
        throw new IllegalArgumentException("-D" + PROPERTY + " must be a byte count (0 turns packing off), got '" + setting + "'");
    }
}
