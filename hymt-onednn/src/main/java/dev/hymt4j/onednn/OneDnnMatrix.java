package dev.hymt4j.onednn;

import dev.hymt4j.safetensors.DType;
import dev.hymt4j.tensor.MappedMatrix;
import dev.hymt4j.tensor.Matrix;
import org.bytedeco.dnnl.IntMemoryMap;
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

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;

/**
 * A mapped BF16 or F32 matrix whose whole-matrix products run in oneDNN with <b>BF16 compute</b>, as PyTorch's
 * CPU autocast does: BF16 weights meet activations (or output gradients) rounded to BF16 (nearest-even) with
 * FP32 accumulation ({@code vdpbf16ps} or AMX tiles); F32 weights run an F32 product under oneDNN's
 * {@code fpmath_mode=bf16}, which lets it round both operands to BF16 where it has BF16 kernels (AMX) and
 * computes in FP32 otherwise. The weights are not copied: oneDNN reads the mapping.
 *
 * <p><b>Not exact and not batch-invariant.</b> The result differs from the FP32 reference by the BF16 rounding of
 * the operands (relative L2 ≈ 2e-3 per product, measured, see the kernels notes), and oneDNN's blocking changes
 * the summation order with the number of tokens (a token alone and the same token in a batch of 16 or 128
 * differ in most outputs). It is deterministic for a given shape, ISA and thread count, so a training run
 * repeats (and resumes) bit for bit on the same machine. It is therefore for training only, never for the
 * engine's inference, whose results are promised bit-identical whatever the batch. Below {@link #MIN_TOKENS}
 * tokens and for the single-threaded row/column ranges, it defers to the Java kernels.
 *
 * <p><b>Measured</b> (issue 14, same run against the Java FP32 kernels, one layer's projections, 128 tokens, 2
 * threads on a Sapphire Rapids class VM): with the ISA capped below AMX 1.1–1.3×, under the bar for a backend;
 * with AMX 3–4×. Hence {@link TrainingBackend#AUTO} picks it only where AMX runs.
 */
public final class OneDnnMatrix implements Matrix {
    /** Fewer tokens than this stay in Java: the products are memory-bound there and BF16 compute gains nothing. */
    public static final int MIN_TOKENS = 16;
    /** Token counts round up to a multiple of this ({@link #bucket}); longer products run in chunks of {@link #MAX_CHUNK}. */
    static final int BUCKET = 16, MAX_CHUNK = 1024;

    private final MappedMatrix base;
    private final OneDnn dnn;
    private final BytePointer weights;
    /** BF16 weights (activations rounded to BF16 here) or F32 weights (F32 activations, {@code fpmath_mode=bf16}). */
    private final boolean bf16;
    private final ConcurrentHashMap<Integer, Product> forward = new ConcurrentHashMap<>(), backward = new ConcurrentHashMap<>();
    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    public OneDnnMatrix(MappedMatrix base, OneDnn dnn) {
        if (!supports(base, dnn)) {
            throw new IllegalArgumentException("oneDNN products need F32 weights, or BF16 ones on a CPU with a BF16 matmul, in native memory; got "
                    + base.dtype() + (base.segment().isNative() ? "" : " on the heap") + " (" + dnn.description() + ")");
        }
        this.base = base;
        this.dnn = dnn;
        this.bf16 = base.dtype() == DType.BF16;
        this.weights = new BytePointer(base.segment().asByteBuffer());
    }

    /**
     * Whether {@code m} can run in oneDNN: an F32 matrix in native memory (a mapped checkpoint), or a BF16 one where
     * this CPU has a BF16 matmul ({@link OneDnn#bf16Matmul}; an AVX2-only CPU has none).
     */
    public static boolean supports(Matrix m, OneDnn dnn) {
        return m instanceof MappedMatrix mm && mm.segment().isNative()
                && (mm.dtype() == DType.F32 || mm.dtype() == DType.BF16 && dnn.bf16Matmul());
    }

    /** {@code m} behind oneDNN where {@link #supports} it, else {@code m} itself. */
    public static Matrix wrap(Matrix m, OneDnn dnn) {
        return supports(m, dnn) ? new OneDnnMatrix((MappedMatrix) m, dnn) : m;
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
        if (n < MIN_TOKENS) {
            base.matmul(x, n, out);
            return;
        }
        Buffers b = BUFFERS.get();
        for (int t0 = 0; t0 < n; t0 += MAX_CHUNK) {
            int k = Math.min(MAX_CHUNK, n - t0), m = bucket(k);
            product(forward, m, false).run(b.src(x, t0 * cols(), k * cols(), m * cols(), bf16), b.dst(m * rows()));
            b.dst.asFloatBuffer().get(out, t0 * rows(), k * rows());
        }
    }

    /** {@code out [n, cols] += g [n, rows] · W} in BF16 compute. */
    @Override
    public void matmulTransposedAccumulate(float[] g, int n, float[] out) {
        if (n < MIN_TOKENS) {
            base.matmulTransposedAccumulate(g, n, out);
            return;
        }
        Buffers b = BUFFERS.get();
        VectorSpecies<Float> f = VectorWidth.FLOAT;
        for (int t0 = 0; t0 < n; t0 += MAX_CHUNK) {
            int k = Math.min(MAX_CHUNK, n - t0), m = bucket(k), size = k * cols(), at = t0 * cols();
            product(backward, m, true).run(b.src(g, t0 * rows(), k * rows(), m * rows(), bf16), b.dst(m * cols()));
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

    /** oneDNN's name of the kernel that a forward product of {@code n} tokens runs, or "java" below {@link #MIN_TOKENS}. */
    public String kernel(int n) {
        return n < MIN_TOKENS ? "java" : product(forward, bucket(Math.min(n, MAX_CHUNK)), false).implementation;
    }

    /** One primitive per bucketed token count: at most {@code MAX_CHUNK / BUCKET} of them per direction. */
    private Product product(ConcurrentHashMap<Integer, Product> cache, int m, boolean transposed) {
        Product p = cache.get(m);
        return p != null ? p : cache.computeIfAbsent(m, k -> new Product(k, transposed));
    }

    /**
     * A oneDNN matmul {@code dst [n, N] = src [n, K] · wei [K, N]}: forward K = cols, N = rows, weights "ba" (W is
     * [rows, cols] row-major); transposed K = rows, N = cols, weights "ab".
     */
    private final class Product {
        private final matmul primitive;
        private final memory.desc srcDesc, weiDesc, dstDesc;
        private final memory weiMemory;
        /** oneDNN's name of the kernel it chose, e.g. "brg_matmul:avx10_1_512_amx". */
        final String implementation;
        // JavaCPP frees native objects when their Java peers are collected: keep every peer reachable.
        private final List<Object> keep = new ArrayList<>();

        Product(int n, boolean transposed) {
            long k = transposed ? rows() : cols(), outer = transposed ? cols() : rows();
            memory.data_type type = bf16 ? memory.data_type.bf16 : memory.data_type.f32;
            srcDesc = new memory.desc(new long[]{n, k}, type, memory.format_tag.ab);
            weiDesc = new memory.desc(new long[]{k, outer}, type, transposed ? memory.format_tag.ab : memory.format_tag.ba);
            dstDesc = new memory.desc(new long[]{n, outer}, memory.data_type.f32, memory.format_tag.ab);
            primitive_attr attr = new primitive_attr();
            if (!bf16) attr.set_fpmath_mode(dnnl.fpmath_mode.bf16, true);
            matmul.primitive_desc pd = new matmul.primitive_desc(dnn.engine(), srcDesc, weiDesc, dstDesc, attr, false);
            implementation = pd.impl_info_str().getString();
            primitive = new matmul(pd);
            weiMemory = new memory(weiDesc, dnn.engine(), weights);
            keep.add(pd);
            keep.add(attr);
        }

        void run(ByteBuffer src, ByteBuffer dst) {
            BytePointer s = new BytePointer(src), d = new BytePointer(dst);
            memory sm = new memory(srcDesc, dnn.engine(), s), dm = new memory(dstDesc, dnn.engine(), d);
            IntMemoryMap args = new IntMemoryMap();
            args.put(DNNL_ARG_SRC, sm);
            args.put(DNNL_ARG_WEIGHTS, weiMemory);
            args.put(DNNL_ARG_DST, dm);
            primitive.execute(dnn.stream(), args);
            dnn.stream()._wait();
            args.close();
            sm.close();
            dm.close();
            s.close();
            d.close();
        }
    }

    /** Per-thread direct buffers: the BF16 activations and the FP32 result. */
    private static final class Buffers {
        private static final VectorSpecies<Float> F = VectorWidth.FLOAT;
        private static final VectorSpecies<Integer> I = VectorWidth.INT;
        private static final VectorSpecies<Short> S = VectorWidth.HALF_SHORT;
        ByteBuffer src = ByteBuffer.allocateDirect(0), dst = ByteBuffer.allocateDirect(0);

        /**
         * {@code x[xo, xo + count)} rounded to BF16, nearest-even (NaN stays NaN, quieted), or as F32, vector lanes
         * and tail alike, at the start of a buffer of at least {@code capacity} elements.
         */
        ByteBuffer src(float[] x, int xo, int count, int capacity, boolean bf16) {
            int bytes = (bf16 ? 2 : 4) * capacity;
            if (src.capacity() < bytes) src = ByteBuffer.allocateDirect(bytes).order(ByteOrder.LITTLE_ENDIAN);
            if (!bf16) {
                src.asFloatBuffer().put(x, xo, count);
                return src;
            }
            MemorySegment out = MemorySegment.ofBuffer(src);
            int i = 0;
            for (int upper = F.loopBound(count); i < upper; i += F.length()) {
                FloatVector v = FloatVector.fromArray(F, x, xo + i);
                IntVector bits = v.reinterpretAsInts();
                IntVector rounded = bits.add(bits.lanewise(VectorOperators.LSHR, 16).and(1)).add(0x7FFF).lanewise(VectorOperators.LSHR, 16);
                IntVector quiet = bits.lanewise(VectorOperators.LSHR, 16).or(0x40);
                IntVector half = rounded.blend(quiet, v.test(VectorOperators.IS_NAN).cast(I));
                ((ShortVector) half.convertShape(VectorOperators.I2S, S, 0)).intoMemorySegment(out, 2L * i, ByteOrder.LITTLE_ENDIAN);
            }
            for (; i < count; i++) {
                float v = x[xo + i];
                int bits = Float.floatToRawIntBits(v);
                short rounded = Float.isNaN(v) ? (short) ((bits >>> 16) | 0x40) : (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
                src.putShort(2 * i, rounded);
            }
            return src;
        }

        ByteBuffer dst(int count) {
            if (dst.capacity() < 4 * count) dst = ByteBuffer.allocateDirect(4 * count).order(ByteOrder.LITTLE_ENDIAN);
            return dst;
        }
    }
}
