package dev.hymt4j.onnx;

import dev.hymt4j.gptq.Gptq;
import dev.hymt4j.gptq.GptqOptions;
import dev.hymt4j.gguf.GgmlType;
import dev.hymt4j.quant.GptqMatrix;
import dev.hymt4j.quant.Q4_0Matrix;
import dev.hymt4j.safetensors.SafetensorsWriter.ByteSource;
import dev.hymt4j.tensor.Matrix;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * How one linear {@code y = x·Wᵀ} ({@code W [N = out, K = in]}) becomes ONNX: {@code Gemm(x, W, transB=1)} over
 * a float32 or float16 initializer (float16 cast to float32 in the graph, so the CPU computes in float32), or
 * {@code com.microsoft:MatMulNBits} with 4-bit blocks along K (formats spec §6.4): codes two per byte, element
 * {@code 2t} in the low nibble; float32 scales {@code [N, k_blocks]}; packed zero points only when some block's
 * zero is not 8.
 */
final class OnnxLinear {
    private OnnxLinear() {}

    /** 4-bit codes with one scale and zero per block of {@code blockSize} input columns. */
    interface Int4 {
        int rows();
        int cols();
        int blockSize();
        int code(int o, int i);
        float scale(int block, int o);
        int zero(int block, int o);
    }

    /** The codes of a GPTQ checkpoint's matrix, losslessly: one MatMulNBits block per GPTQ group. */
    static Int4 of(GptqMatrix m, int groupSize, String name) {
        if (m.bits() != 4) throw new IllegalArgumentException(name + ": MatMulNBits export takes 4-bit GPTQ weights, this one is " + m.bits() + "-bit");
        if (!m.naturalOrder()) {
            throw new IllegalArgumentException(name + ": act-order GPTQ (permuted g_idx) has no lossless MatMulNBits form; export "
                    + "--precision fp32/fp16, or quantize without --desc-act");
        }
        int bs = groupSize < 0 ? Math.max(16, Integer.highestOneBit(m.cols() - 1) << 1) : groupSize;
        return new Int4() {
            public int rows() { return m.rows(); }
            public int cols() { return m.cols(); }
            public int blockSize() { return bs; }
            public int code(int o, int i) { return m.code(o, i); }
            public float scale(int block, int o) { return m.scale(block, o); }
            public int zero(int block, int o) { return m.zero(block, o); }
        };
    }

    /**
     * The blocks of a GGUF Q4_0 matrix, losslessly: {@code x = (q − 8)·d} per 32 values is MatMulNBits with block 32,
     * scale {@code d} and the operator's default zero point 8. A Q4_0 byte holds element {@code j} of its block in
     * the low nibble and element {@code j + 16} in the high one.
     */
    static Int4 of(Q4_0Matrix m) {
        MemorySegment data = m.segment();
        long rowBytes = GgmlType.Q4_0.rowBytes(m.cols());
        return new Int4() {
            public int rows() { return m.rows(); }
            public int cols() { return m.cols(); }
            public int blockSize() { return 32; }
            public int code(int o, int i) {
                int j = i % 32, packed = data.get(ValueLayout.JAVA_BYTE, o * rowBytes + i / 32 * 18L + 2 + j % 16) & 0xFF;
                return j < 16 ? packed & 0xF : packed >>> 4;
            }
            public float scale(int block, int o) { return Float.float16ToFloat(data.get(HALF, o * rowBytes + block * 18L)); }
            public int zero(int block, int o) { return 8; }
        };
    }

    private static final ValueLayout.OfShort HALF = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** {@code ‖W − dequant(q)‖ / ‖W‖} over the whole matrix: what re-quantizing {@code w} to {@code q} cost. */
    static double relativeError(Matrix w, Int4 q) {
        float[] row = new float[w.cols()];
        double diff = 0, norm = 0;
        for (int o = 0; o < w.rows(); o++) {
            w.readRow(o, row, 0);
            for (int i = 0; i < row.length; i++) {
                int b = i / q.blockSize();
                double d = row[i] - (double) q.scale(b, o) * (q.code(o, i) - q.zero(b, o));
                diff += d * d;
                norm += (double) row[i] * row[i];
            }
        }
        return norm == 0 ? 0 : Math.sqrt(diff / norm);
    }

    /** Round-to-nearest 4-bit (symmetric, F16-exact scales) of a float matrix, blocks of {@code blockSize}. */
    static Int4 roundToNearest(Matrix w, int blockSize) {
        Gptq.Result r = Gptq.roundToNearest(w, null, GptqOptions.DEFAULT.withGroupSize(blockSize));
        return new Int4() {
            public int rows() { return r.rows(); }
            public int cols() { return r.cols(); }
            public int blockSize() { return blockSize; }
            public int code(int o, int i) { return r.codes()[o * r.cols() + i]; }
            public float scale(int block, int o) { return (float) r.scales()[block * r.rows() + o]; }
            public int zero(int block, int o) { return r.zeros()[block * r.rows() + o]; }
        };
    }

    /** {@code W [rows, cols]} as float32 (4 bytes) or float16 (2 bytes) elements, row by row. */
    static ByteSource floats(Matrix w, boolean half) {
        int cols = w.cols(), size = half ? 2 : 4;
        return (offset, target) -> {
            float[] row = new float[cols];
            long element = offset / size;
            int cached = -1;
            while (target.remaining() >= size) {
                int r = (int) (element / cols), c = (int) (element % cols);
                if (r != cached) {
                    w.readRow(r, row, 0);
                    cached = r;
                }
                if (half) target.putShort(Float.floatToFloat16(row[c]));
                else target.putFloat(row[c]);
                element++;
            }
        };
    }

    /** MatMulNBits' {@code B [N, k_blocks, blockSize/2]}: codes along K, two per byte, low nibble first, zero-padded. */
    static ByteSource packedCodes(Int4 q) {
        int bs = q.blockSize(), k = q.cols(), blocks = (k + bs - 1) / bs;
        long rowBytes = (long) blocks * bs / 2;
        return (offset, target) -> {
            for (long b = offset; target.hasRemaining(); b++) {
                int o = (int) (b / rowBytes), i = (int) (b % rowBytes) * 2;
                int lo = i < k ? q.code(o, i) : 0, hi = i + 1 < k ? q.code(o, i + 1) : 0;
                target.put((byte) (lo | hi << 4));
            }
        };
    }

    static ByteSource scales(Int4 q) {
        int blocks = (q.cols() + q.blockSize() - 1) / q.blockSize();
        return (offset, target) -> {
            for (long e = offset / 4; target.remaining() >= 4; e++) target.putFloat(q.scale((int) (e % blocks), (int) (e / blocks)));
        };
    }

    /** True when every block's zero point is 8, the operator's default (then no zero_points input is written). */
    static boolean symmetric(Int4 q) {
        int blocks = (q.cols() + q.blockSize() - 1) / q.blockSize();
        for (int b = 0; b < blocks; b++) for (int o = 0; o < q.rows(); o++) if (q.zero(b, o) != 8) return false;
        return true;
    }

    /** {@code zero_points [N, ceil(k_blocks/2)]}: one nibble per block, low nibble first. */
    static ByteSource zeroPoints(Int4 q) {
        int blocks = (q.cols() + q.blockSize() - 1) / q.blockSize(), rowBytes = (blocks + 1) / 2;
        return (offset, target) -> {
            for (long b = offset; target.hasRemaining(); b++) {
                int o = (int) (b / rowBytes), blk = (int) (b % rowBytes) * 2;
                int lo = q.zero(blk, o), hi = blk + 1 < blocks ? q.zero(blk + 1, o) : 0;
                target.put((byte) (lo | hi << 4));
            }
        };
    }
}
