package dev.hymt4j.bench;

import dev.hymt4j.gguf.GgmlType;
import dev.hymt4j.onednn.OneDnn;
import dev.hymt4j.tensor.Matrix;
import dev.hymt4j.tensor.Parallel;
import dev.hymt4j.tensor.VectorWidth;
import dev.hymt4j.weights.MatrixFormats;

import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.dnnl.matmul;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.primitive_attr;
import org.bytedeco.dnnl.reorder;
import org.bytedeco.dnnl.stream;
import org.bytedeco.javacpp.BytePointer;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_ATTR_SCALES;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_FROM;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_TO;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;

/**
 * A probe, not a backend (issue 14, "what would close it"): oneDNN's matmul with <b>compressed weights</b> — the
 * int8 / int4 quants of a Q8_0 / Q4_0 tensor, repacked without their interleaved scales, and the per-32 scales as
 * a grouped-scale attribute (weight decompression, BF16 compute) — against our fused kernels on the very same
 * blocks, in the same run, at 1, 16 and 128 tokens; the path {@code CompressedWeights} (hymt-onednn) takes. It answers whether a native path exists that reads the
 * quantized bytes (instead of a BF16 copy decoded per product, as {@code OneDnnMatrix} does) and beats the Java
 * kernels where they are furthest behind llama.cpp (batched decode, prefill). Prints oneDNN's kernel name, the
 * time per product on each side, their ratio and the relative L2 difference of the outputs (the BF16 rounding).
 *
 * <pre>  OneDnnQuantBench [THREADS (2)] [ROUNDS (3)] [TOKENS (1,16,128)] [FORMATS (Q8_0,Q4_0)]</pre>
 * One 6144 × 2048 projection per format (the FFN shape), random Gaussian rows quantized by the codec.
 */
public final class OneDnnQuantBench {
    static final int ROWS = 6144, COLS = 2048, GROUP = 32;

    public static void main(String[] args) throws Exception {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        String[] tokenCounts = (args.length > 2 ? args[2] : "1,16,128").split(",");
        String[] formats = (args.length > 3 ? args[3] : "Q8_0,Q4_0").split(",");
        Parallel.setThreads(threads);
        OneDnn dnn = OneDnn.get().orElseThrow(() -> new IllegalStateException("oneDNN did not load: " + OneDnn.unavailableReason()));
        System.out.printf(Locale.ROOT, "threads %d, %s, %s, load average %s%n", threads, VectorWidth.describe(), dnn.description(),
                KernelBench.loadAverage());
        engine cpu = new engine(engine.kind.cpu, 0);
        stream queue = new stream(cpu);
        SplittableRandom random = new SplittableRandom(11);
        try (Arena arena = Arena.ofShared()) {
            for (String format : formats) {
                GgmlType type = GgmlType.valueOf(format);
                MemorySegment blocks = QuantKernelBench.blocks(arena, type, ROWS, COLS, random);
                Matrix ours = MatrixFormats.create(type.name(), blocks, ROWS, COLS);
                Compressed packed = Compressed.of(type, blocks, arena);
                for (String tokens : tokenCounts) {
                    int n = Integer.parseInt(tokens);
                    float[] x = new float[n * COLS];
                    for (int i = 0; i < x.length; i++) x[i] = (float) random.nextGaussian();
                    float[] want = new float[n * ROWS], got = new float[n * ROWS];
                    Product product = new Product(cpu, queue, packed, n);
                    Runnable java = () -> ours.matmul(x, n, want);
                    Runnable native_ = () -> product.run(x, got);
                    double bestJava = Double.MAX_VALUE, bestNative = Double.MAX_VALUE;
                    for (int r = 0; r < rounds + 1; r++) {   // round 0 warms up
                        double j = time(java), d = time(native_);
                        if (r > 0) {
                            bestJava = Math.min(bestJava, j);
                            bestNative = Math.min(bestNative, d);
                        }
                    }
                    System.out.printf(Locale.ROOT, "%-5s %4d tokens  java %8.3f ms  onednn %8.3f ms  onednn/java speed %5.2fx  rel L2 %.1e  [%s]%n",
                            format, n, bestJava * 1e3, bestNative * 1e3, bestJava / bestNative, relativeL2(got, want), product.implementation);
                }
            }
        }
        System.out.printf(Locale.ROOT, "load average at end %s%n", KernelBench.loadAverage());
    }

    /** Best seconds per call over repeats filling ~0.3 s. */
    private static double time(Runnable body) {
        body.run();
        long t0 = System.nanoTime();
        int calls = 0;
        double best = Double.MAX_VALUE;
        while (System.nanoTime() - t0 < 300_000_000L || calls < 3) {
            long s = System.nanoTime();
            body.run();
            best = Math.min(best, (System.nanoTime() - s) / 1e9);
            calls++;
        }
        return best;
    }

    private static double relativeL2(float[] a, float[] b) {
        double num = 0, den = 0;
        for (int i = 0; i < a.length; i++) {
            num += (double) (a[i] - b[i]) * (a[i] - b[i]);
            den += (double) b[i] * b[i];
        }
        return Math.sqrt(num / den);
    }

    /**
     * The quants as oneDNN's weights {@code [K = COLS, N = ROWS]} in "ba" order (each output row's K values
     * contiguous, as in the GGUF row; s4 packs element 2i in the low nibble of byte i), and the block scales
     * {@code [K / 32, N]} as F32.
     */
    record Compressed(memory.data_type type, MemorySegment quants, MemorySegment scales) {
        static Compressed of(GgmlType format, MemorySegment blocks, Arena arena) {
            int groups = COLS / GROUP;
            MemorySegment scales = arena.allocate(4L * groups * ROWS, 64);
            boolean q8 = format == GgmlType.Q8_0;
            if (!q8 && format != GgmlType.Q4_0) throw new IllegalArgumentException("Q8_0 or Q4_0, got " + format);
            int blockBytes = q8 ? 34 : 18;
            MemorySegment quants = arena.allocate(q8 ? (long) ROWS * COLS : (long) ROWS * COLS / 2, 64);
            for (int r = 0; r < ROWS; r++) {
                for (int g = 0; g < groups; g++) {
                    long o = ((long) r * groups + g) * blockBytes;
                    float d = Float.float16ToFloat(blocks.get(ValueLayout.JAVA_SHORT_UNALIGNED, o));
                    scales.setAtIndex(ValueLayout.JAVA_FLOAT, (long) g * ROWS + r, d);
                    if (q8) {
                        MemorySegment.copy(blocks, o + 2, quants, (long) r * COLS + g * GROUP, GROUP);
                        continue;
                    }
                    // Q4_0: byte j holds element j (low nibble) and j + 16 (high), unsigned with offset 8
                    for (int i = 0; i < GROUP; i += 2) {
                        int lo = nibble(blocks, o, i) - 8, hi = nibble(blocks, o, i + 1) - 8;
                        quants.set(ValueLayout.JAVA_BYTE, ((long) r * COLS + g * GROUP + i) / 2, (byte) ((lo & 0xF) | (hi & 0xF) << 4));
                    }
                }
            }
            return new Compressed(q8 ? memory.data_type.s8 : memory.data_type.s4, quants, scales);
        }

        private static int nibble(MemorySegment blocks, long o, int element) {
            int b = blocks.get(ValueLayout.JAVA_BYTE, o + 2 + element % 16) & 0xFF;
            return element < 16 ? b & 0xF : b >> 4;
        }
    }

    /**
     * {@code dst [n, ROWS] = src [n, COLS] · decompress(weights)}, BF16 activations and compute. (With F32 activations
     * oneDNN 3.11 picks its reference kernel for grouped scales on AVX-512 BF16 without AMX: 240 ms for one token.)
     */
    static final class Product {
        final String implementation;
        private final matmul primitive;
        private final memory src, weights, scales, dst;
        private final ByteBuffer srcBuffer, dstBuffer;
        private final stream queue;
        private final List<Object> keep = new ArrayList<>();

        Product(engine cpu, stream queue, Compressed packed, int n) {
            this.queue = queue;
            memory.desc srcDesc = new memory.desc(new long[]{n, COLS}, memory.data_type.bf16, memory.format_tag.ab);
            memory.desc plain = new memory.desc(new long[]{COLS, ROWS}, packed.type(), memory.format_tag.ba);
            memory.desc any = new memory.desc(new long[]{COLS, ROWS}, packed.type(), memory.format_tag.any);
            memory.desc dstDesc = new memory.desc(new long[]{n, ROWS}, memory.data_type.f32, memory.format_tag.ab);
            memory.desc scalesDesc = new memory.desc(new long[]{COLS / GROUP, ROWS}, memory.data_type.f32, memory.format_tag.ab);
            primitive_attr attr = new primitive_attr();
            attr.set_scales(DNNL_ARG_WEIGHTS, (1 << 0) | (1 << 1), new long[]{GROUP, 1}, memory.data_type.f32, false, dnnl.quantization_mode.static_sazp);
            attr.set_fpmath_mode(dnnl.fpmath_mode.bf16, true);   // apply to integer weights: decompress, compute in BF16
            // s4 has no reorder into a blocked layout: it runs from the plain one
            matmul.primitive_desc pd = new matmul.primitive_desc(cpu, srcDesc, packed.type() == memory.data_type.s4 ? plain : any, dstDesc, attr, false);
            implementation = pd.impl_info_str().getString();
            primitive = new matmul(pd);
            memory given = new memory(plain, cpu, new BytePointer(packed.quants().asByteBuffer()));
            if (packed.type() == memory.data_type.s4) {
                weights = given;
            } else {
                weights = new memory(pd.weights_desc(), cpu);
                reorder repack = new reorder(given, weights, new primitive_attr());
                IntMemoryMap args = new IntMemoryMap();
                args.put(DNNL_ARG_FROM, given);
                args.put(DNNL_ARG_TO, weights);
                repack.execute(queue, args);
                queue._wait();
                keep.add(repack);
            }
            scales = new memory(scalesDesc, cpu, new BytePointer(packed.scales().asByteBuffer()));
            srcBuffer = ByteBuffer.allocateDirect(2 * n * COLS).order(ByteOrder.LITTLE_ENDIAN);
            dstBuffer = ByteBuffer.allocateDirect(4 * n * ROWS).order(ByteOrder.LITTLE_ENDIAN);
            src = new memory(srcDesc, cpu, new BytePointer(srcBuffer));
            dst = new memory(dstDesc, cpu, new BytePointer(dstBuffer));
            keep.add(pd);
            keep.add(attr);
            keep.add(given);
        }

        void run(float[] x, float[] out) {
            for (int i = 0; i < x.length; i++) srcBuffer.putShort(2 * i, (short) (Float.floatToRawIntBits(x[i]) >>> 16));   // truncated: a probe
            IntMemoryMap args = new IntMemoryMap();
            args.put(DNNL_ARG_SRC, src);
            args.put(DNNL_ARG_WEIGHTS, weights);
            args.put(DNNL_ARG_ATTR_SCALES | DNNL_ARG_WEIGHTS, scales);
            args.put(DNNL_ARG_DST, dst);
            primitive.execute(queue, args);
            queue._wait();
            args.close();
            dstBuffer.asFloatBuffer().get(out);
        }
    }
}
