package dev.hymt4j.onednn;

import dev.hymt4j.quant.BlockMatrix;
import dev.hymt4j.quant.IntegerBlocks;
import dev.hymt4j.tensor.Matrix;
import dev.hymt4j.tensor.Parallel;
import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.dnnl.matmul;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.post_ops;
import org.bytedeco.dnnl.primitive_attr;
import org.bytedeco.javacpp.BytePointer;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_ATTR_SCALES;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;

/**
 * A GGUF block matrix's forward products as oneDNN <b>weight-decompression</b> matmuls: the quants repacked once
 * into oneDNN's int8 / int4 weights {@code [K = cols, N = rows]} ("ba": each row's values contiguous, two 4-bit
 * values per byte, the even one low) with the per-group scales as a grouped-scale attribute, activations rounded to
 * BF16, BF16 compute with FP32 accumulation ({@code fpmath_mode=bf16} applied to the integer weights). oneDNN
 * widens each weight as it goes, so a product reads 4–8 bits per weight instead of the 16 of a BF16 copy decoded
 * for each product ({@link OneDnnMatrix}'s path for the other block formats). The per-32 mins of Q4_K are an FP32
 * product {@code Σ_j min[r, j]·Σ x[t, 32j …]} that the main product subtracts ({@link #matmul}).
 *
 * <p>The repacked copy (native memory: 4 or 8 bits per weight plus an FP32 scale per group, and an FP32 min per 32)
 * is built at the first product that needs it, so a process that only decodes single tokens never pays for it; it
 * lives beside the mapping, which the Java kernels keep reading for fewer tokens.
 *
 * <p><b>Measured</b> (OneDnnQuantBench, one 6144 × 2048 projection, AMD EPYC Zen 4 class, 2 threads, same run): at
 * 8–128 tokens 1.7–2.6× (Q4_0), 1.9–2.6× (Q4_K) and 2.2–2.8× (Q8_0) the speed of the Java kernels; one token (run
 * as a bucket of 16) 0.24–0.27× (so single tokens stay in Java). With F32 activations oneDNN 3.11 has only its reference kernel for
 * grouped scales (500× slower): the activations go in as BF16. Public for that benchmark, which times this class
 * against the Java kernels at every token count; the engine reaches it through {@link OneDnnMatrix}.
 */
public final class CompressedWeights {
    private final BlockMatrix base;
    private final IntegerBlocks layout;
    private final OneDnn dnn;
    private final int rows, cols;
    private volatile Packed packed;
    private final ConcurrentHashMap<Integer, Product> products = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Integer, MinsProduct> minProducts = new ConcurrentHashMap<>();

    /** {@code m}'s compressed products, where it is a block matrix with an integer layout ({@link IntegerBlocks}). */
    public static Optional<CompressedWeights> of(Matrix m, OneDnn dnn) {
        return m instanceof BlockMatrix b ? IntegerBlocks.of(b.type()).map(l -> new CompressedWeights(b, l, dnn)) : Optional.empty();
    }

    private CompressedWeights(BlockMatrix base, IntegerBlocks layout, OneDnn dnn) {
        this.base = base;
        this.layout = layout;
        this.dnn = dnn;
        this.rows = base.rows();
        this.cols = base.cols();
    }

    /** oneDNN's kernel name for a product of {@code n} tokens. */
    public String implementation(int n) {
        return product(OneDnnMatrix.bucket(Math.min(n, OneDnnMatrix.MAX_CHUNK))).implementation;
    }

    /**
     * {@code out [n, rows] = x [n, cols] · Wᵀ}. With mins, an FP32 product {@code sums [m, cols / 32] · mins} (the
     * activations summed over each 32, left to right) is written first and the main product subtracts it (a sum
     * post-op with scale −1): the min terms cost 1/32 of the product, in oneDNN's kernels (a Java pass over them
     * made a 640-token prefill slower than decoding the weights to BF16).
     */
    public void matmul(float[] x, int n, float[] out) {
        Packed p = packed();
        OneDnnMatrix.Buffers b = OneDnnMatrix.BUFFERS.get();
        for (int t0 = 0; t0 < n; t0 += OneDnnMatrix.MAX_CHUNK) {
            int k = Math.min(OneDnnMatrix.MAX_CHUNK, n - t0), m = OneDnnMatrix.bucket(k);
            ByteBuffer dst = b.dst(m * rows);
            if (p.mins != null) mins(m).run(b.sums(x, t0, k, m, cols), p.minsPointer(), dst);
            product(m).run(b.src(x, t0 * cols, k * cols, m * cols, true), p, dst);
            dst.asFloatBuffer().get(out, t0 * rows, k * rows);
        }
    }

    private Packed packed() {
        Packed p = packed;
        if (p == null) {
            synchronized (this) {
                if ((p = packed) == null) packed = p = Packed.of(base, layout);
            }
        }
        return p;
    }

    private Product product(int m) {
        Product p = products.get(m);
        return p != null ? p : products.computeIfAbsent(m, Product::new);
    }

    private MinsProduct mins(int m) {
        MinsProduct p = minProducts.get(m);
        return p != null ? p : minProducts.computeIfAbsent(m, MinsProduct::new);
    }

    /** The repacked quants, the scales [cols / group][rows] and, for formats with mins, the mins [cols / 32][rows]. */
    record Packed(MemorySegment quants, MemorySegment scales, MemorySegment mins, BytePointer quantsPointer, BytePointer scalesPointer,
                  BytePointer minsPointer) {
        static Packed of(BlockMatrix m, IntegerBlocks layout) {
            int rows = m.rows(), cols = m.cols(), groups = cols / layout.group(), rowBytes = cols * layout.bits() / 8;
            Arena arena = Arena.ofAuto();
            MemorySegment quants = arena.allocate((long) rows * rowBytes, 64), scales = arena.allocate(4L * groups * rows, 64);
            MemorySegment mins = layout.mins() ? arena.allocate(4L * (cols / 32) * rows, 64) : null;
            Parallel.forRange(rows, 64, (r0, r1) -> {
                byte[] q = new byte[cols], packedRow = new byte[rowBytes];
                float[] s = new float[groups], mn = new float[cols / 32];
                for (int r = r0; r < r1; r++) {
                    layout.row(m, r, q, s, mn);
                    if (layout.bits() == 4) {
                        for (int i = 0; i < rowBytes; i++) packedRow[i] = (byte) ((q[2 * i] & 0xF) | (q[2 * i + 1] & 0xF) << 4);
                        MemorySegment.copy(packedRow, 0, quants, ValueLayout.JAVA_BYTE, (long) r * rowBytes, rowBytes);
                    } else {
                        MemorySegment.copy(q, 0, quants, ValueLayout.JAVA_BYTE, (long) r * rowBytes, rowBytes);
                    }
                    for (int g = 0; g < groups; g++) scales.setAtIndex(ValueLayout.JAVA_FLOAT, (long) g * rows + r, s[g]);
                    if (mins != null) for (int j = 0; j < cols / 32; j++) mins.setAtIndex(ValueLayout.JAVA_FLOAT, (long) j * rows + r, mn[j]);
                }
            });
            return new Packed(quants, scales, mins, new BytePointer(quants.asByteBuffer()), new BytePointer(scales.asByteBuffer()),
                    mins == null ? null : new BytePointer(mins.asByteBuffer()));
        }
    }

    /** The min terms {@code dst [m, rows] = sums [m, cols / 32] · mins [cols / 32, rows]}, FP32. */
    private final class MinsProduct {
        private final matmul primitive;
        private final memory.desc srcDesc, weiDesc, dstDesc;
        private final List<Object> keep = new ArrayList<>();

        MinsProduct(int m) {
            srcDesc = new memory.desc(new long[]{m, cols / 32}, memory.data_type.f32, memory.format_tag.ab);
            weiDesc = new memory.desc(new long[]{cols / 32, rows}, memory.data_type.f32, memory.format_tag.ab);
            dstDesc = new memory.desc(new long[]{m, rows}, memory.data_type.f32, memory.format_tag.ab);
            primitive_attr attr = new primitive_attr();
            matmul.primitive_desc pd = new matmul.primitive_desc(dnn.engine(), srcDesc, weiDesc, dstDesc, attr, false);
            primitive = new matmul(pd);
            keep.add(pd);
            keep.add(attr);
        }

        void run(ByteBuffer sums, BytePointer mins, ByteBuffer dst) {
            dnn.execute(primitive, OneDnn.Arg.buffer(DNNL_ARG_SRC, srcDesc, sums), OneDnn.Arg.pointer(DNNL_ARG_WEIGHTS, weiDesc, mins),
                    OneDnn.Arg.buffer(DNNL_ARG_DST, dstDesc, dst));
        }
    }

    /** One primitive per bucketed token count: {@code dst [m, rows] = src [m, cols] (BF16) · decompress(weights)}. */
    private final class Product {
        final String implementation;
        private final matmul primitive;
        private final memory.desc srcDesc, weiDesc, scalesDesc, dstDesc;
        // JavaCPP frees native objects when their Java peers are collected: keep every peer reachable.
        private final List<Object> keep = new ArrayList<>();

        Product(int m) {
            memory.data_type type = layout.bits() == 8 ? memory.data_type.s8 : layout.signed() ? memory.data_type.s4 : memory.data_type.u4;
            srcDesc = new memory.desc(new long[]{m, cols}, memory.data_type.bf16, memory.format_tag.ab);
            weiDesc = new memory.desc(new long[]{cols, rows}, type, memory.format_tag.ba);
            scalesDesc = new memory.desc(new long[]{cols / layout.group(), rows}, memory.data_type.f32, memory.format_tag.ab);
            dstDesc = new memory.desc(new long[]{m, rows}, memory.data_type.f32, memory.format_tag.ab);
            primitive_attr attr = new primitive_attr();
            attr.set_scales(DNNL_ARG_WEIGHTS, (1 << 0) | (1 << 1), new long[]{layout.group(), 1}, memory.data_type.f32, false,
                    dnnl.quantization_mode.static_sazp);
            attr.set_fpmath_mode(dnnl.fpmath_mode.bf16, true);
            if (layout.mins()) {
                post_ops subtract = new post_ops();
                subtract.append_sum(-1f, 0, memory.data_type.undef);   // dst = product − (the min terms already in dst)
                attr.set_post_ops(subtract);
                keep.add(subtract);
            }
            matmul.primitive_desc pd = new matmul.primitive_desc(dnn.engine(), srcDesc, weiDesc, dstDesc, attr, false);
            implementation = pd.impl_info_str().getString();
            primitive = new matmul(pd);
            keep.add(pd);
            keep.add(attr);
        }

        void run(ByteBuffer src, Packed p, ByteBuffer dst) {
            dnn.execute(primitive, OneDnn.Arg.buffer(DNNL_ARG_SRC, srcDesc, src), OneDnn.Arg.pointer(DNNL_ARG_WEIGHTS, weiDesc, p.quantsPointer()),
                    OneDnn.Arg.pointer(DNNL_ARG_ATTR_SCALES | DNNL_ARG_WEIGHTS, scalesDesc, p.scalesPointer()),
                    OneDnn.Arg.buffer(DNNL_ARG_DST, dstDesc, dst));
        }
    }
}
