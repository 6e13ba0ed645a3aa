package dev.hymt4j.gptq;

import dev.hymt4j.gguf.GgmlType;
import dev.hymt4j.gguf.GgufCheckpoint;
import dev.hymt4j.gguf.GgufMetadata;
import dev.hymt4j.gguf.GgufModelWriter;
import dev.hymt4j.gguf.HunyuanGguf;
import dev.hymt4j.model.LayerWeights;
import dev.hymt4j.model.ModelWeights;
import dev.hymt4j.quant.GgufFileType;
import dev.hymt4j.quant.GptqMatrix;
import dev.hymt4j.tensor.Matrix;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A GPTQ checkpoint → a GGUF file, carrying the codes over where ggml has the same block (formats spec §4.6 → §5):
 * <ul>
 *   <li>4-bit with every zero point 8 (symmetric) → {@code Q4_0}: {@code d} = the group's F16 scale and the same
 *       codes as nibbles, so ggml's {@code (q − 8)·d} is GPTQ's {@code (q − z)·s} bit for bit;</li>
 *   <li>8-bit with every zero point 128 → {@code Q8_0}: {@code d} = the scale, {@code qs = q − 128};</li>
 *   <li>any GPTQ matrix → {@code F32}, its dequantized weights (exact in float32; 4× the size).</li>
 * </ul>
 * The two block cases need every run of 32 input columns (one ggml block, one scale) inside one GPTQ group: a group size that is
 * a multiple of 32 or whole rows, and no act-order {@code g_idx} that splits a run. Every other case is lossy —
 * asymmetric zero points (Q4_1's minimum {@code m = −s·z} rounds to F16 wherever {@code s·z} needs more than F16's
 * 11 significant bits), act-order with a permuted {@code g_idx}, groups of 16, 2-bit codes, a k-quant target —
 * and is refused unless the caller allows re-quantization: then those matrices are dequantized and re-quantized by
 * ggml's reference quantizer to llama-quantize's type for them, and the error is measured on the written file.
 *
 * <p>Tensors GPTQ left in float (embedding, an unquantized {@code lm_head}) stay in their stored float type, so a
 * lossless file holds exactly the GPTQ model's weights. After writing, every converted matrix is read back from
 * the GGUF and compared with the GPTQ matrix row by row.
 */
public final class GptqToGguf {
    private GptqToGguf() {}

    /**
     * @param lossless          matrices carried over bit for bit (verified on the written file)
     * @param requantized       GGUF name → why it could not be carried over and its re-quantization error
     * @param maxRelativeError  the largest relative L2 error of a re-quantized matrix against its GPTQ weights (0 if none)
     */
    public record Result(int lossless, Map<String, String> requantized, double maxRelativeError) {}

    /**
     * The ggml type a GPTQ matrix carries over to exactly, for a file type: Q4_0, Q8_0, or F32 (every
     * {@code (q − z)·s} is a float32 value: a 4- to 8-bit integer times an F16 scale), else null. F16 and BF16 are
     * not exact: the product needs up to 20 significant bits.
     */
    static GgmlType exactTarget(GgufFileType type) {
        return switch (type) {
            case Q4_0 -> GgmlType.Q4_0;
            case Q8_0 -> GgmlType.Q8_0;
            case F32 -> GgmlType.F32;
            default -> null;
        };
    }

    /** Why {@code m} has no exact form in {@code type}'s blocks, or null when it has one. */
    public static String whyLossy(GptqMatrix m, GgufFileType type) {
        GgmlType target = exactTarget(type);
        if (target == null) {
            return "GPTQ codes carry over exactly only to Q4_0 (4-bit), Q8_0 (8-bit) and F32, not to " + type
                    + (type == GgufFileType.F16 || type == GgufFileType.BF16 ? ": (q − z)·s needs more mantissa bits than " + type + " has" : "");
        }
        if (target == GgmlType.F32) return null;
        int bits = target == GgmlType.Q4_0 ? 4 : 8, block = target.blockSize();
        if (m.bits() != bits) return m.bits() + "-bit GPTQ codes do not fit " + target + "'s " + bits + "-bit blocks";
        if (m.cols() % block != 0) return "rows of " + m.cols() + " do not split into " + target + " blocks of " + block;
        for (int c0 = 0; c0 < m.cols(); c0 += block) {
            for (int c = c0 + 1; c < c0 + block; c++) {
                if (m.group(c) != m.group(c0)) {
                    return "input columns " + c0 + ".." + (c0 + block - 1) + " span GPTQ groups " + m.group(c0) + " and " + m.group(c)
                            + (m.naturalOrder() ? " (group size not a multiple of " + block + ")" : " (act-order g_idx)")
                            + "; a " + target + " block has one scale";
                }
            }
        }
        int zero = 1 << (bits - 1);
        for (int g = 0; g < m.groups(); g++) {
            for (int o = 0; o < m.rows(); o++) {
                if (m.zero(g, o) != zero) {
                    return "asymmetric: zero point " + m.zero(g, o) + " (group " + g + ", row " + o + "); " + target
                            + " has the fixed zero " + zero + (bits == 4 ? " (and Q4_1's minimum −s·z rounds to F16)" : "");
                }
            }
        }
        return null;
    }

    /** Row {@code o} of a matrix {@link #whyLossy} accepted, as Q4_0 or Q8_0 blocks. */
    static void encodeRow(GptqMatrix m, GgmlType target, int o, byte[] dst, int off) {
        int block = target.blockSize();
        for (int c0 = 0, p = off; c0 < m.cols(); c0 += block, p += target.typeSize()) {
            short d = Float.floatToFloat16(m.scale(m.group(c0), o));
            dst[p] = (byte) d;
            dst[p + 1] = (byte) (d >> 8);
            if (target == GgmlType.Q4_0) {
                // byte j: element j in the low nibble, element j + 16 in the high one
                for (int j = 0; j < 16; j++) dst[p + 2 + j] = (byte) (m.code(o, c0 + j) | m.code(o, c0 + 16 + j) << 4);
            } else {
                for (int j = 0; j < block; j++) dst[p + 2 + j] = (byte) (m.code(o, c0 + j) - 128);
            }
        }
    }

    /**
     * Writes {@code weights} (loaded from a GPTQ checkpoint) to {@code out} as {@code type}, with {@code metadata}.
     *
     * @throws IllegalArgumentException when a GPTQ matrix has no exact form and {@code allowRequantize} is false,
     *                                  naming the matrices and why
     */
    public static Result convert(ModelWeights weights, GgufFileType type, GgufMetadata metadata, boolean allowRequantize, Path out,
                                 GgufModelWriter.Progress progress) throws IOException {
        Map<String, GptqMatrix> gptq = gptqMatrices(weights);
        if (gptq.isEmpty()) throw new IllegalArgumentException("no GPTQ-quantized linear in the model");
        Map<String, String> lossy = new LinkedHashMap<>();
        gptq.forEach((name, m) -> {
            String why = whyLossy(m, type);
            if (why != null) lossy.put(name, why);
        });
        if (!lossy.isEmpty() && !allowRequantize) {
            List<String> lines = new ArrayList<>();
            lossy.entrySet().stream().limit(5).forEach(e -> lines.add("  " + e.getKey() + ": " + e.getValue()));
            if (lossy.size() > 5) lines.add("  … and " + (lossy.size() - 5) + " more");
            throw new IllegalArgumentException(lossy.size() + " of " + gptq.size() + " GPTQ matrices have no exact " + type
                    + " form (lossless: 4-bit symmetric → Q4_0, 8-bit symmetric → Q8_0, with groups a multiple of 32 and no act-order; any → F32):\n"
                    + String.join("\n", lines) + "\npass --allow-requantize to re-quantize them from the dequantized GPTQ weights (lossy)");
        }
        GgmlType target = exactTarget(type);
        GgufModelWriter.write(weights, type, metadata, out, progress, (name, m, llamaQuantize) -> {
            if (!(m instanceof GptqMatrix g)) return new GgufModelWriter.Choice(GgufModelWriter.storedType(m), null);
            if (lossy.containsKey(name)) return new GgufModelWriter.Choice(llamaQuantize, null);
            if (target == GgmlType.F32) return new GgufModelWriter.Choice(GgmlType.F32, null);   // the dequantized floats, exactly
            return new GgufModelWriter.Choice(target, (row, dst, off) -> encodeRow(g, target, row, dst, off));
        });
        return verify(gptq, lossy, out);
    }

    /** The GPTQ matrices of a model under their GGUF names. */
    static Map<String, GptqMatrix> gptqMatrices(ModelWeights w) {
        Map<String, GptqMatrix> out = new LinkedHashMap<>();
        if (w.lmHead() instanceof GptqMatrix g && w.lmHead() != w.embedding()) out.put("output.weight", g);
        for (int l = 0; l < w.layers().length; l++) {
            LayerWeights lw = w.layers()[l];
            String p = "blk." + l + ".";
            Matrix[] ms = {lw.q(), lw.k(), lw.v(), lw.o(), lw.gate(), lw.up(), lw.down()};
            String[] names = {"attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down"};
            for (int i = 0; i < ms.length; i++) if (ms[i] instanceof GptqMatrix g) out.put(p + names[i] + ".weight", g);
        }
        return out;
    }

    /** Reads every converted matrix back from the file: the lossless ones must match bit for bit. */
    private static Result verify(Map<String, GptqMatrix> gptq, Map<String, String> lossy, Path out) throws IOException {
        Map<String, String> requantized = new LinkedHashMap<>();
        double worst = 0;
        try (GgufCheckpoint gguf = GgufCheckpoint.open(out)) {
            for (Map.Entry<String, GptqMatrix> e : gptq.entrySet()) {
                GptqMatrix m = e.getValue();
                Matrix written = gguf.matrix(HunyuanGguf.toHf(e.getKey()).orElseThrow(), m.rows(), m.cols());
                float[] a = new float[m.cols()], b = new float[m.cols()];
                double diff = 0, norm = 0;
                boolean identical = true;
                for (int r = 0; r < m.rows(); r++) {
                    m.readRow(r, a, 0);
                    written.readRow(r, b, 0);
                    for (int c = 0; c < a.length; c++) {
                        identical &= Float.floatToIntBits(a[c]) == Float.floatToIntBits(b[c]);
                        diff += (double) (a[c] - b[c]) * (a[c] - b[c]);
                        norm += (double) a[c] * a[c];
                    }
                }
                String why = lossy.get(e.getKey());
                if (why == null && !identical) throw new IllegalStateException(out + ": " + e.getKey() + " differs from its GPTQ weights after a lossless conversion");
                if (why != null) {
                    double rel = Math.sqrt(diff / Math.max(norm, Double.MIN_NORMAL));
                    worst = Math.max(worst, rel);
                    requantized.put(e.getKey(), String.format(Locale.ROOT, "%s; re-quantized to %s, relative L2 error %.3e",
                            why, written.format(), rel));
                }
            }
        }
        return new Result(gptq.size() - lossy.size(), requantized, worst);
    }
}
