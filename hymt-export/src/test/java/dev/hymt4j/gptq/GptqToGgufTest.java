package dev.hymt4j.gptq;

import com.fasterxml.jackson.databind.node.MissingNode;
import dev.hymt4j.gguf.GgmlType;
import dev.hymt4j.gguf.GgufCheckpoint;
import dev.hymt4j.gguf.GgufFile;
import dev.hymt4j.gguf.GgufMetadata;
import dev.hymt4j.gguf.GgufModelWriter;
import dev.hymt4j.gguf.HunyuanGguf;
import dev.hymt4j.model.Checkpoint;
import dev.hymt4j.model.ForwardOptions;
import dev.hymt4j.model.HunyuanModel;
import dev.hymt4j.model.ModelConfig;
import dev.hymt4j.model.ModelWeights;
import dev.hymt4j.quant.GgufFileType;
import dev.hymt4j.safetensors.SafetensorsFile;
import dev.hymt4j.testing.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GPTQ checkpoint → GGUF. In the lossless cases (4-bit sym → Q4_0, 8-bit sym → Q8_0, groups a multiple of 32, no
 * act-order) every weight decoded from the GGUF bytes with ggml's formula (written here) equals, bit for bit, the
 * weight decoded from the GPTQ tensors with the v1 formula (written in {@link GptqCheckpointTest#dequantize}), and the
 * engine's logits on the two files agree to float rounding (different kernels, different summation orders). The
 * lossy cases are refused with the reason, or re-quantized with a measured error.
 */
class GptqToGgufTest {
    static final int[] IDS = {1, 17, 300, 42, 9, 511, 77, 3};

    /** A GPTQ checkpoint of the tiny golden model, calibrated on random token windows. */
    static Path gptq(Path dir, GptqOptions o) throws IOException {
        Random r = new Random(3);
        int[][] calibration = new int[4][24];
        for (int[] s : calibration) for (int t = 0; t < s.length; t++) s[t] = r.nextInt(512);
        new GptqModelQuantizer(GptqModelQuantizer.Method.GPTQ, o, false).run(GptqCheckpointTest.TINY, calibration, "test", dir, l -> {});
        return dir;
    }

    static GptqToGguf.Result convert(Path gptq, GgufFileType type, boolean allowRequantize, Path out) throws IOException {
        try (Checkpoint ckpt = Checkpoint.open(gptq)) {
            GgufMetadata metadata = HunyuanGguf.converterMetadata(ckpt.config(), "tiny", MissingNode.getInstance(), out.toString());
            return GptqToGguf.convert(ModelWeights.load(ckpt), type, metadata, allowRequantize, out, GgufModelWriter.Progress.NONE);
        }
    }

    /** A Q4_0 or Q8_0 tensor {@code [rows, cols]} decoded from its bytes: ggml's dequantize_row_q4_0 / _q8_0. */
    static float[] ggmlDecode(MemorySegment data, GgmlType type, int rows, int cols) {
        float[] w = new float[rows * cols];
        int blockBytes = type == GgmlType.Q4_0 ? 18 : 34;
        for (int r = 0; r < rows; r++) {
            for (int b = 0; b < cols / 32; b++) {
                long p = ((long) r * (cols / 32) + b) * blockBytes;
                float d = Float.float16ToFloat(data.get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), p));
                for (int j = 0; j < 32; j++) {
                    int q;
                    if (type == GgmlType.Q4_0) {
                        int packed = data.get(ValueLayout.JAVA_BYTE, p + 2 + j % 16) & 0xFF;
                        q = (j < 16 ? packed & 0xF : packed >> 4) - 8;
                    } else {
                        q = data.get(ValueLayout.JAVA_BYTE, p + 2 + j);
                    }
                    w[r * cols + b * 32 + j] = q * d;
                }
            }
        }
        return w;
    }

    static int[] bits(float[] x) {
        int[] b = new int[x.length];
        for (int i = 0; i < x.length; i++) b[i] = Float.floatToIntBits(x[i]);
        return b;
    }

    static float[] logits(HunyuanModel m) {
        return m.forward(IDS, ForwardOptions.ALL_LOGITS).logits();
    }

    @Test
    void symmetricCheckpointsCarryOverBitForBit(@TempDir Path tmp) throws IOException {
        record Case(GptqOptions options, GgufFileType type, GgmlType block) {}
        for (Case c : new Case[]{
                new Case(GptqOptions.DEFAULT.withGroupSize(32), GgufFileType.Q4_0, GgmlType.Q4_0),
                new Case(GptqOptions.DEFAULT, GgufFileType.Q4_0, GgmlType.Q4_0),    // group 128 on K = 160: groups of 128 and 32
                new Case(GptqOptions.DEFAULT.withGroupSize(-1), GgufFileType.Q4_0, GgmlType.Q4_0),
                new Case(GptqOptions.DEFAULT.withBits(8).withGroupSize(64), GgufFileType.Q8_0, GgmlType.Q8_0)}) {
            String tag = c.options().bits() + "-" + c.options().groupSize();
            Path dir = gptq(tmp.resolve("gptq-" + tag), c.options()), out = tmp.resolve(tag + ".gguf");
            GptqToGguf.Result r = convert(dir, c.type(), false, out);
            assertEquals(14, r.lossless(), tag);
            assertTrue(r.requantized().isEmpty(), tag);
            ModelConfig config;
            try (SafetensorsFile st = SafetensorsFile.open(dir.resolve("model.safetensors")); GgufFile gguf = GgufFile.open(out);
                 Checkpoint ckpt = Checkpoint.open(dir)) {
                config = ckpt.config();
                for (Map.Entry<String, int[]> e : GptqCheckpointTest.linears(config).entrySet()) {
                    String ggufName = HunyuanGguf.toGguf(e.getKey() + ".weight").orElseThrow();
                    assertEquals(c.block(), gguf.info(ggufName).type(), ggufName);
                    float[] fromGguf = ggmlDecode(gguf.data(ggufName), c.block(), e.getValue()[0], e.getValue()[1]);
                    float[] fromGptq = GptqCheckpointTest.dequantize(st, e.getKey(), c.options().bits(), c.options().groupSize());
                    assertArrayEquals(bits(fromGptq), bits(fromGguf), tag + " " + ggufName);
                }
                // float tensors keep their stored type (the tiny model is F32)
                assertEquals(GgmlType.F32, gguf.info("token_embd.weight").type());
                assertEquals(c.type().id(), gguf.metadata().integer(GgufModelWriter.FILE_TYPE, -1));
            }
            try (HunyuanModel fromGptq = HunyuanModel.load(dir); GgufCheckpoint g = GgufCheckpoint.open(out)) {
                double err = TestData.relL2(logits(new HunyuanModel(ModelWeights.load(g))), logits(fromGptq));
                assertTrue(err < 1e-5, tag + ": logits rel L2 " + err);
            }
        }
    }

    /** Any GPTQ matrix (here asymmetric act-order, which has no exact block form) is exact as F32; F16 is not. */
    @Test
    void f32HoldsTheDequantizedWeightsExactly(@TempDir Path tmp) throws IOException {
        GptqOptions o = GptqOptions.DEFAULT.withGroupSize(32).withSym(false).withActOrder(true);
        Path dir = gptq(tmp.resolve("gptq"), o), out = tmp.resolve("f32.gguf");
        assertEquals(14, convert(dir, GgufFileType.F32, false, out).lossless());
        try (SafetensorsFile st = SafetensorsFile.open(dir.resolve("model.safetensors")); GgufFile gguf = GgufFile.open(out);
             Checkpoint ckpt = Checkpoint.open(dir)) {
            for (Map.Entry<String, int[]> e : GptqCheckpointTest.linears(ckpt.config()).entrySet()) {
                String ggufName = HunyuanGguf.toGguf(e.getKey() + ".weight").orElseThrow();
                assertEquals(GgmlType.F32, gguf.info(ggufName).type());
                float[] stored = gguf.data(ggufName).toArray(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN));
                assertArrayEquals(bits(GptqCheckpointTest.dequantize(st, e.getKey(), 4, 32)), bits(stored), ggufName);
            }
        }
        var e = assertThrows(IllegalArgumentException.class, () -> convert(dir, GgufFileType.F16, false, tmp.resolve("f16.gguf")));
        assertTrue(e.getMessage().contains("needs more mantissa bits than F16"), e.getMessage());
    }

    /**
     * Optional oracle: llama.cpp's own Python package (gguf-py: GGUFReader + quants.dequantize) reads our GGUF, AutoGPTQ's
     * torch unpacking reads the GPTQ checkpoint ({@code gguf_vs_gptq.py}): every converted weight identical in every
     * bit. Skips without a Python that has torch, safetensors and gguf ({@code HYMT_PYTHON}, else /work/py/bin/python).
     */
    @Test
    void ggufPyReadsTheSameWeightsAsAutoGptqsUnpacking(@TempDir Path tmp) throws Exception {
        PythonOracle python = PythonOracle.find("import torch, safetensors, gguf.quants", tmp).withScripts("gguf_vs_gptq.py", "torch_gptq_logits.py");
        for (GptqOptions o : new GptqOptions[]{GptqOptions.DEFAULT, GptqOptions.DEFAULT.withBits(8).withGroupSize(32)}) {
            String tag = o.bits() + "-" + o.groupSize();
            Path dir = gptq(tmp.resolve("gptq-" + tag), o), out = tmp.resolve(tag + ".gguf");
            convert(dir, o.bits() == 4 ? GgufFileType.Q4_0 : GgufFileType.Q8_0, false, out);
            String output = python.run("gguf_vs_gptq.py", dir.toString(), out.toString());
            System.out.print(output);
            assertTrue(output.contains("identical 14/14"), output);
        }
    }

    @Test
    void lossyCasesAreRefusedWithTheReason(@TempDir Path tmp) throws IOException {
        Path asym = gptq(tmp.resolve("asym"), GptqOptions.DEFAULT.withGroupSize(32).withSym(false));
        var e = assertThrows(IllegalArgumentException.class, () -> convert(asym, GgufFileType.Q4_0, false, tmp.resolve("a.gguf")));
        assertTrue(e.getMessage().contains("asymmetric: zero point") && e.getMessage().contains("--allow-requantize"), e.getMessage());
        assertTrue(!Files.exists(tmp.resolve("a.gguf")));

        Path actOrder = gptq(tmp.resolve("act"), GptqOptions.DEFAULT.withGroupSize(32).withActOrder(true));
        e = assertThrows(IllegalArgumentException.class, () -> convert(actOrder, GgufFileType.Q4_0, false, tmp.resolve("b.gguf")));
        assertTrue(e.getMessage().contains("(act-order g_idx)"), e.getMessage());

        Path g16 = gptq(tmp.resolve("g16"), GptqOptions.DEFAULT.withGroupSize(16));
        e = assertThrows(IllegalArgumentException.class, () -> convert(g16, GgufFileType.Q4_0, false, tmp.resolve("c.gguf")));
        assertTrue(e.getMessage().contains("group size not a multiple of 32"), e.getMessage());

        Path sym = gptq(tmp.resolve("sym"), GptqOptions.DEFAULT.withGroupSize(32));
        e = assertThrows(IllegalArgumentException.class, () -> convert(sym, GgufFileType.Q8_0, false, tmp.resolve("d.gguf")));
        assertTrue(e.getMessage().contains("4-bit GPTQ codes do not fit Q8_0's 8-bit blocks"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> convert(sym, GgufFileType.Q4_K_M, false, tmp.resolve("e.gguf")));
        assertTrue(e.getMessage().contains("only to Q4_0 (4-bit), Q8_0 (8-bit) and F32"), e.getMessage());
    }

    @Test
    void requantizingALossyCheckpointReportsItsError(@TempDir Path tmp) throws IOException {
        Path asym = gptq(tmp.resolve("asym"), GptqOptions.DEFAULT.withGroupSize(32).withSym(false));
        Path out = tmp.resolve("asym.gguf");
        GptqToGguf.Result r = convert(asym, GgufFileType.Q4_0, true, out);
        assertEquals(0, r.lossless());
        assertEquals(14, r.requantized().size());
        // Q4_0 on top of 4-bit weights: a few percent, not zero, not garbage
        assertTrue(r.maxRelativeError() > 1e-3 && r.maxRelativeError() < 0.2, "error " + r.maxRelativeError());
        assertTrue(r.requantized().get("blk.0.attn_q.weight").contains("re-quantized to Q4_0, relative L2 error"), r.requantized().toString());
        try (HunyuanModel fromGptq = HunyuanModel.load(asym); GgufCheckpoint g = GgufCheckpoint.open(out)) {
            double err = TestData.relL2(logits(new HunyuanModel(ModelWeights.load(g))), logits(fromGptq));
            assertTrue(err < 0.2, "logits rel L2 " + err);
        }
    }
}
