package dev.hymt4j.onednn;

import dev.hymt4j.gguf.GgmlType;
import dev.hymt4j.safetensors.DType;
import dev.hymt4j.quant.BlockMatrix;
import dev.hymt4j.tensor.MappedMatrix;
import dev.hymt4j.tensor.Parallel;
import dev.hymt4j.tensor.Matrix;
import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.dnnl.primitive_attr;
import org.bytedeco.dnnl.matmul;
import org.bytedeco.dnnl.memory;
import org.bytedeco.javacpp.BytePointer;

import dev.hymt4j.tensor.VectorWidth;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;

/**
 * A matrix whose whole-matrix products run in oneDNN with <b>BF16 compute</b>, as PyTorch's CPU autocast does:
 * BF16 weights meet activations (or output gradients) rounded to BF16 (nearest-even) with FP32 accumulation
 * ({@code vdpbf16ps} or AMX tiles); F32 weights run an F32 product under oneDNN's {@code fpmath_mode=bf16}, which
 * lets it round both operands to BF16 where it has BF16 kernels (AMX) and computes in FP32 otherwise. Mapped
 * weights are read in place, or, within a memory budget, from a copy in the blocked layout oneDNN's kernel prefers,
 * made once per direction on first use ({@link PackedWeights}: a LoRA step 1.05–1.11× faster). GGUF block-quantized weights ({@link BlockMatrix}) with an integer
 * layout (Q8_0, Q4_0, Q4_K: {@link dev.hymt4j.quant.IntegerBlocks}) run from {@link CompressedWeights}, a copy of their quants
 * that oneDNN decompresses as it multiplies, from {@link #MIN_COMPRESSED_TOKENS} tokens; the other block formats are decoded to
 * BF16 for each forward product of {@link #MIN_DECODED_TOKENS} or more tokens, 32 MB of rows at a time.
 *
 * <p><b>Not exact and not batch-invariant.</b> The result differs from the FP32 reference by the BF16 rounding of
 * the operands (relative L2 ≈ 2e-3 per product, measured, see the kernels notes), and oneDNN's blocking changes
 * the summation order with the number of tokens (a token alone and the same token in a batch of 16 or 128
 * differ in most outputs). It is deterministic for a given shape, ISA and thread count, so a training run
 * repeats (and resumes) bit for bit on the same machine. It serves training ({@link TrainingBackend}) and, only
 * where a user asks for it, inference ({@link OneDnnWeightSource}); the engine's default promises results
 * bit-identical whatever the batch. Below {@link #MIN_TOKENS} tokens and for the single-threaded row/column
 * ranges, it defers to the Java kernels.
 *
 * <p><b>Measured</b> (issue 14, same run against the Java FP32 kernels, one layer's projections, 128 tokens, 2
 * threads): on a Sapphire Rapids class VM 1.1–1.3× with the ISA capped below AMX, 3–4× with AMX; on AMD Zen 5
 * (AVX-512 BF16, no AMX) 1.5–2.7×. Hence {@link TrainingBackend#AUTO} measures ({@link Calibration}).
 */
public final class OneDnnMatrix implements Matrix {
    /** Fewer tokens than this stay in Java: the products are memory-bound there and BF16 compute gains nothing. */
    public static final int MIN_TOKENS = 16;
    /**
     * A quantized matrix decodes all its weights for each product, which pays only over many tokens: measured on a
     * 6144 × 2048 Q4_0 projection (Zen 5, 2 threads, same run), decoding it to BF16 takes 1.9 ms, about what the Java
     * kernels spend on 21 tokens (11.3 ms for 128), and oneDNN then needs about half their time per token, so it
     * wins from about 45 tokens on (prompts; a batch of 16 decode steps stays in Java).
     */
    static final int MIN_DECODED_TOKENS = 64;
    /**
     * Compressed block weights ({@link CompressedWeights}) pay from fewer tokens: measured on 6144 × 2048 projections
     * (AMD Zen 4 class, 2 threads, same run, OneDnnQuantBench), 8 tokens (run as a bucket of 16) took oneDNN 1.97 ms
     * (Q4_0), 2.10 (Q4_K), 1.63 (Q8_0) against the Java kernels' 3.37, 4.01 and 3.55 ms.
     */
    static final int MIN_COMPRESSED_TOKENS = 8;
    /** Token counts round up to a multiple of this ({@link #bucket}); longer products run in chunks of {@link #MAX_CHUNK}. */
    static final int BUCKET = 16, MAX_CHUNK = 1024;

    private final Matrix base;
    private final OneDnn dnn;
    /** The mapped BF16 or F32 weights oneDNN reads in place, or null where each product decodes them ({@link #decoded}). */
    private final BytePointer weights;
    /** BF16 weights (activations rounded to BF16 here) or F32 weights (F32 activations, {@code fpmath_mode=bf16}). */
    private final boolean bf16;
    /** Rows per decoded product: a chunk of BF16 weights fills at most {@link #DECODED_CHUNK_BYTES}. */
    private final int chunkRows;
    /**
     * Fewer tokens than this stay on the Java kernels: {@link #MIN_TOKENS}, {@link #MIN_COMPRESSED_TOKENS} for compressed
     * block weights, {@link #MIN_DECODED_TOKENS} for block weights decoded per product.
     */
    private final int minTokens;
    /** A block matrix's compressed weights (Q8_0, Q4_0, Q4_K), or null: the other block formats decode per product. */
    private final CompressedWeights compressed;
    /**
     * The mapped weights in oneDNN's blocked layout for the forward [0] and the transposed [1] product
     * ({@link PackedWeights}), made on first use where the budget allows, else null; {@link #packingTried} says
     * whether that first use came.
     */
    private final PackedWeights[] packed = new PackedWeights[2];
    private final boolean[] packingTried = new boolean[2];
    private final AtomicLong packBudget;
    /** Primitives by (token count, weight rows of the product) — forward, transposed. */
    private final ConcurrentHashMap<Long, Product> forward = new ConcurrentHashMap<>(), backward = new ConcurrentHashMap<>();
    /**
     * Per block format, whether oneDNN has an optimized kernel for its compressed weights on this CPU (asked once, of
     * the first matrix): where only the reference kernel exists (hundreds of times slower) the format decodes.
     */
    private static final ConcurrentHashMap<GgmlType, Boolean> OPTIMIZED = new ConcurrentHashMap<>();
    static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);
    /** A decoded row, per pool thread. */
    private static final ThreadLocal<float[]> ROW = ThreadLocal.withInitial(() -> new float[0]);
    /** The BF16 copy of a decoded matrix's rows lives in chunks of this many bytes (the head: 15 of them). */
    static final int DECODED_CHUNK_BYTES = 32 << 20;

    public OneDnnMatrix(Matrix base, OneDnn dnn) {
        this(base, dnn, DECODED_CHUNK_BYTES, true, PackedWeights.BUDGET);
    }

    /**
     * With decoded chunks of at most {@code chunkBytes} (tests use small ones to cross chunk boundaries), and block
     * formats with an integer layout run from their compressed weights ({@link CompressedWeights}) unless
     * {@code compress} is false (tests of the decoded path); packed copies of mapped weights come out of
     * {@code packBudget} ({@link PackedWeights}).
     */
    OneDnnMatrix(Matrix base, OneDnn dnn, int chunkBytes, boolean compress, AtomicLong packBudget) {
        if (!supports(base, dnn)) {
            throw new IllegalArgumentException("oneDNN products need F32 weights, or BF16 ones on a CPU with a BF16 matmul, in native memory,"
                    + " or block-quantized ones on such a CPU; got " + describe(base) + " (" + dnn.description() + ")");
        }
        this.base = base;
        this.dnn = dnn;
        this.packBudget = packBudget;
        if (base instanceof MappedMatrix mm) {
            this.bf16 = mm.dtype() == DType.BF16;
            this.weights = new BytePointer(mm.segment().asByteBuffer());
        } else {
            this.bf16 = true;
            this.weights = null;
        }
        this.chunkRows = Math.max(1, Math.min(base.rows(), chunkBytes / (2 * base.cols())));
        this.compressed = weights == null && compress
                ? CompressedWeights.of(base, dnn)
                        .filter(c -> OPTIMIZED.computeIfAbsent(((BlockMatrix) base).type(), t -> !c.implementation(BUCKET).startsWith("ref")))
                        .orElse(null)
                : null;
        this.minTokens = compressed != null ? MIN_COMPRESSED_TOKENS : weights == null ? MIN_DECODED_TOKENS : MIN_TOKENS;
    }

    private static String describe(Matrix m) {
        return m instanceof MappedMatrix mm ? mm.dtype() + (mm.segment().isNative() ? "" : " on the heap") : m.format();
    }

    /**
     * Whether {@code m} can run in oneDNN: an F32 matrix in native memory (a mapped checkpoint), or a BF16 one where
     * this CPU has a BF16 matmul ({@link OneDnn#bf16Matmul}; an AVX2-only CPU has none), or — forward products only —
     * a block-quantized one (GGUF Q4_0 … Q6_K) on such a CPU, whose rows each product decodes to BF16 first.
     */
    public static boolean supports(Matrix m, OneDnn dnn) {
        if (m instanceof BlockMatrix) return dnn.bf16Matmul();
        return m instanceof MappedMatrix mm && mm.segment().isNative()
                && (mm.dtype() == DType.F32 || mm.dtype() == DType.BF16 && dnn.bf16Matmul());
    }

    /** {@code m} behind oneDNN where {@link #supports} it, else {@code m} itself. */
    public static Matrix wrap(Matrix m, OneDnn dnn) {
        return supports(m, dnn) ? new OneDnnMatrix(m, dnn) : m;
    }

    @Override
    public int rows() {
        return base.rows();
    }

    @Override
    public int cols() {
        return base.cols();
    }

    @Override
    public String format() {
        return base.format() + " (oneDNN bf16 compute)";
    }

    @Override
    public void matmulRows(float[] x, int n, float[] out, int r0, int r1) {
        base.matmulRows(x, n, out, r0, r1);
    }

    @Override
    public void accumulateTransposed(float[] g, int n, float[] out, int c0, int c1) {
        base.accumulateTransposed(g, n, out, c0, c1);
    }

    @Override
    public void readRow(int r, float[] dst, int off) {
        base.readRow(r, dst, off);
    }

    /** {@code out [n, rows] = x [n, cols] · Wᵀ} in BF16 compute. */
    @Override
    public void matmul(float[] x, int n, float[] out) {
        if (n < minTokens) {
            base.matmul(x, n, out);
            return;
        }
        if (compressed != null) {
            compressed.matmul(x, n, out);
            return;
        }
        if (weights == null) {
            decoded(x, n, out);
            return;
        }
        Buffers b = BUFFERS.get();
        for (int t0 = 0; t0 < n; t0 += MAX_CHUNK) {
            int k = Math.min(MAX_CHUNK, n - t0), m = bucket(k);
            product(forward, m, rows(), false).run(b.src(x, t0 * cols(), k * cols(), m * cols(), bf16), weights, b.dst(m * rows()));
            b.dst.asFloatBuffer().get(out, t0 * rows(), k * rows());
        }
    }

    /**
     * The forward product of a quantized matrix: per chunk of {@link #chunkRows} rows, the rows decoded to float
     * ({@link BlockMatrix#readRowFast}, on the pool) and rounded to BF16 — a second rounding, of the weights, as autocast
     * rounds FP32 weights — then one oneDNN product per chunk of tokens, scattered into {@code out}. The
     * activations are rounded to BF16 once, for every row chunk.
     */
    private void decoded(float[] x, int n, float[] out) {
        Buffers b = BUFFERS.get();
        MemorySegment chunk = b.weights(chunkRows * cols());
        // token chunk j starts at row j·MAX_CHUNK, a multiple of BUCKET: the last one's padding ends at bucket(n)
        ByteBuffer src = b.src(x, 0, n * cols(), bucket(n) * cols(), true);
        try (BytePointer chunkPointer = new BytePointer(b.weights)) {
            decoded(src, n, out, chunk, chunkPointer, b);
        }
    }

    private void decoded(ByteBuffer src, int n, float[] out, MemorySegment chunk, BytePointer chunkPointer, Buffers b) {
        int rows = rows(), cols = cols();
        for (int r0 = 0; r0 < rows; r0 += chunkRows) {
            int count = Math.min(chunkRows, rows - r0), first = r0;
            Parallel.forRange(count, 16, (a, z) -> {
                float[] row = ROW.get();
                if (row.length < cols) ROW.set(row = new float[cols]);
                for (int r = a; r < z; r++) {
                    ((BlockMatrix) base).readRowFast(first + r, row, 0);
                    Buffers.roundToBf16(row, 0, cols, chunk, 2L * r * cols);
                }
            });
            for (int t0 = 0; t0 < n; t0 += MAX_CHUNK) {
                int k = Math.min(MAX_CHUNK, n - t0), m = bucket(k);
                product(forward, m, count, false).run(src.slice(2 * t0 * cols, 2 * m * cols), chunkPointer, b.dst(m * count));
                java.nio.FloatBuffer result = b.dst.asFloatBuffer();
                for (int t = 0; t < k; t++) result.get(t * count, out, (t0 + t) * rows + r0, count);
            }
        }
    }

    /** {@code out [n, cols] += g [n, rows] · W} in BF16 compute (on the Java kernels for a quantized matrix). */
    @Override
    public void matmulTransposedAccumulate(float[] g, int n, float[] out) {
        if (n < MIN_TOKENS || weights == null) {
            base.matmulTransposedAccumulate(g, n, out);
            return;
        }
        Buffers b = BUFFERS.get();
        VectorSpecies<Float> f = VectorWidth.FLOAT;
        for (int t0 = 0; t0 < n; t0 += MAX_CHUNK) {
            int k = Math.min(MAX_CHUNK, n - t0), m = bucket(k), size = k * cols(), at = t0 * cols();
            product(backward, m, rows(), true).run(b.src(g, t0 * rows(), k * rows(), m * rows(), bf16), weights, b.dst(m * cols()));
            MemorySegment result = MemorySegment.ofBuffer(b.dst);
            int i = 0;
            for (int upper = f.loopBound(size); i < upper; i += f.length()) {
                FloatVector.fromMemorySegment(f, result, 4L * i, ByteOrder.LITTLE_ENDIAN).add(FloatVector.fromArray(f, out, at + i)).intoArray(out, at + i);
            }
            for (; i < size; i++) out[at + i] += result.getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, i);
        }
    }

    /**
     * The token count a product of {@code k} tokens runs at: the next multiple of {@link #BUCKET}, so that prompts of
     * every length share a few primitives (each token's row of the result depends only on its own row; the rows
     * past {@code k} hold whatever the buffer held and are dropped).
     */
    static int bucket(int k) {
        return (k + BUCKET - 1) / BUCKET * BUCKET;
    }

    /** oneDNN's name of the kernel that a forward product of {@code n} tokens runs, or "java" where the Java kernels do. */
    public String kernel(int n) {
        if (n < minTokens) return "java";
        if (compressed != null) return compressed.implementation(n);
        return product(forward, bucket(Math.min(n, MAX_CHUNK)), weights == null ? chunkRows : rows(), false).implementation;
    }

    /** Bytes of this matrix's packed copies ({@link PackedWeights}) made so far: 0, one direction's or both. */
    public synchronized long packedBytes() {
        long bytes = 0;
        for (PackedWeights p : packed) if (p != null) bytes += p.bytes();
        return bytes;
    }

    /** One primitive per bucketed token count and weight-row count (one, or two for a chunked matrix's last chunk). */
    private Product product(ConcurrentHashMap<Long, Product> cache, int m, int weightRows, boolean transposed) {
        long key = (long) m << 32 | weightRows;
        Product p = cache.get(key);
        return p != null ? p : cache.computeIfAbsent(key, k -> new Product(m, weightRows, transposed));
    }

    /**
     * A oneDNN matmul {@code dst [m, N] = src [m, K] · wei [K, N]}: forward K = cols, N = the weight rows, weights "ba"
     * (W is [rows, cols] row-major); transposed K = rows, N = cols, weights "ab". The weights come with each run (the
     * mapping, or a decoded chunk), except where the mapped weights have a packed copy in the layout this primitive
     * prefers ({@link #packedCopy}): then it reads that.
     */
    private final class Product {
        private final matmul primitive;
        private final memory.desc srcDesc, weiDesc, dstDesc;
        /** The packed copy this primitive reads instead of the weights it is given, or null. */
        private final PackedWeights copy;
        /** oneDNN's name of the kernel it chose, e.g. "brg_matmul:avx10_1_512_amx". */
        final String implementation;
        // JavaCPP frees native objects when their Java peers are collected: keep every peer reachable.
        private final List<Object> keep = new ArrayList<>();

        Product(int m, int weightRows, boolean transposed) {
            long k = transposed ? weightRows : cols(), outer = transposed ? cols() : weightRows;
            memory.data_type type = bf16 ? memory.data_type.bf16 : memory.data_type.f32;
            srcDesc = new memory.desc(new long[]{m, k}, type, memory.format_tag.ab);
            memory.desc plain = new memory.desc(new long[]{k, outer}, type, transposed ? memory.format_tag.ab : memory.format_tag.ba);
            dstDesc = new memory.desc(new long[]{m, outer}, memory.data_type.f32, memory.format_tag.ab);
            primitive_attr attr = new primitive_attr();
            if (!bf16) attr.set_fpmath_mode(dnnl.fpmath_mode.bf16, true);
            matmul.primitive_desc pd = null;
            PackedWeights found = null;
            if (weights != null) {
                matmul.primitive_desc any = new matmul.primitive_desc(dnn.engine(), srcDesc,
                        new memory.desc(new long[]{k, outer}, type, memory.format_tag.any), dstDesc, attr, false);
                found = packedCopy(transposed, plain, any.weights_desc());
                if (found != null) pd = any;
            }
            if (pd == null) pd = new matmul.primitive_desc(dnn.engine(), srcDesc, plain, dstDesc, attr, false);
            copy = found;
            weiDesc = found != null ? found.desc : plain;
            implementation = pd.impl_info_str().getString();
            primitive = new matmul(pd);
            keep.add(pd);
            keep.add(attr);
        }

        void run(ByteBuffer src, BytePointer weights, ByteBuffer dst) {
            dnn.execute(primitive, OneDnn.Arg.buffer(DNNL_ARG_SRC, srcDesc, src),
                    OneDnn.Arg.pointer(DNNL_ARG_WEIGHTS, weiDesc, copy != null ? copy.pointer : weights), OneDnn.Arg.buffer(DNNL_ARG_DST, dstDesc, dst));
        }
    }

    /**
     * The packed copy of the mapped weights for one direction in layout {@code wanted}, made by the first product
     * that asks ({@link PackedWeights#reorder}, within its budget); null where {@code wanted} is the plain layout
     * {@code plain}, where the budget refused the copy, or where this product wants another layout than the copy
     * made for an earlier token count (then it reads the mapping).
     */
    private synchronized PackedWeights packedCopy(boolean transposed, memory.desc plain, memory.desc wanted) {
        int direction = transposed ? 1 : 0;
        if (!packingTried[direction]) {
            packingTried[direction] = true;
            packed[direction] = wanted.equals(plain) ? null : PackedWeights.reorder(dnn, plain, weights, wanted, packBudget);
        }
        PackedWeights copy = packed[direction];
        return copy != null && copy.desc.equals(wanted) ? copy : null;
    }

    /** Per-thread direct buffers: the BF16 activations, the FP32 result, a decoded matrix's BF16 chunk. */
    static final class Buffers {
        private static final VectorSpecies<Float> F = VectorWidth.FLOAT;
        private static final VectorSpecies<Integer> I = VectorWidth.INT;
        private static final VectorSpecies<Short> S = VectorWidth.HALF_SHORT;
        ByteBuffer src = ByteBuffer.allocateDirect(0), dst = ByteBuffer.allocateDirect(0), weights = ByteBuffer.allocateDirect(0);
        ByteBuffer sums = ByteBuffer.allocateDirect(0);

        /**
         * {@code x[xo, xo + count)} rounded to BF16 ({@link #roundToBf16}), or as F32, at the start of a buffer of at
         * least {@code capacity} elements.
         */
        ByteBuffer src(float[] x, int xo, int count, int capacity, boolean bf16) {
            int bytes = (bf16 ? 2 : 4) * capacity;
            if (src.capacity() < bytes) src = ByteBuffer.allocateDirect(bytes).order(ByteOrder.LITTLE_ENDIAN);
            if (bf16) roundToBf16(x, xo, count, MemorySegment.ofBuffer(src), 0);
            else src.asFloatBuffer().put(x, xo, count);
            return src;
        }

        /** {@code x[xo, xo + count)} rounded to BF16, nearest-even (NaN stays NaN, quieted), vector lanes and tail alike, at byte {@code at}. */
        static void roundToBf16(float[] x, int xo, int count, MemorySegment out, long at) {
            int i = 0;
            for (int upper = F.loopBound(count); i < upper; i += F.length()) {
                FloatVector v = FloatVector.fromArray(F, x, xo + i);
                IntVector bits = v.reinterpretAsInts();
                IntVector rounded = bits.add(bits.lanewise(VectorOperators.LSHR, 16).and(1)).add(0x7FFF).lanewise(VectorOperators.LSHR, 16);
                IntVector quiet = bits.lanewise(VectorOperators.LSHR, 16).or(0x40);
                IntVector half = rounded.blend(quiet, v.test(VectorOperators.IS_NAN).cast(I));
                ((ShortVector) half.convertShape(VectorOperators.I2S, S, 0)).intoMemorySegment(out, at + 2L * i, ByteOrder.LITTLE_ENDIAN);
            }
            for (; i < count; i++) {
                float v = x[xo + i];
                int bits = Float.floatToRawIntBits(v);
                short rounded = Float.isNaN(v) ? (short) ((bits >>> 16) | 0x40) : (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
                out.set(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, at + 2L * i, rounded);
            }
        }

        ByteBuffer dst(int count) {
            if (dst.capacity() < 4 * count) dst = ByteBuffer.allocateDirect(4 * count).order(ByteOrder.LITTLE_ENDIAN);
            return dst;
        }

        /**
         * The sums of each 32 activations of tokens {@code t0 .. t0 + k} ({@code x [n, cols]}, FP32, left to right), in a
         * buffer of {@code m} rows of {@code cols / 32} (rows past k as they were).
         */
        ByteBuffer sums(float[] x, int t0, int k, int m, int cols) {
            int groups = cols / 32;
            if (sums.capacity() < 4 * m * groups) sums = ByteBuffer.allocateDirect(4 * m * groups).order(ByteOrder.LITTLE_ENDIAN);
            for (int t = 0; t < k; t++) {
                for (int j = 0; j < groups; j++) {
                    float s = 0;
                    for (int i = 0, o = (t0 + t) * cols + 32 * j; i < 32; i++) s += x[o + i];
                    sums.putFloat(4 * (t * groups + j), s);
                }
            }
            return sums;
        }

        /** Room for {@code count} BF16 weights (a decoded chunk). */
        MemorySegment weights(int count) {
            if (weights.capacity() < 2 * count) weights = ByteBuffer.allocateDirect(2 * count).order(ByteOrder.LITTLE_ENDIAN);
            return MemorySegment.ofBuffer(weights);
        }
    }
}
