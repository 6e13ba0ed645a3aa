package dev.hymt4j.onnx;

import dev.hymt4j.gptq.GptqModelQuantizer;
import dev.hymt4j.gptq.GptqOptions;
import dev.hymt4j.model.ForwardOptions;
import dev.hymt4j.model.HunyuanModel;
import dev.hymt4j.safetensors.SafetensorsFile;
import dev.hymt4j.testing.TestData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ONNX Runtime (Java) runs our exports of the golden tiny model: fp32 logits against the transformers reference
 * and our engine, the KV-cache decode loop against one full pass, a left-padded batch, fp16, int4 from a GPTQ
 * checkpoint and from a float model against our own int4 engine on the same weights, external data.
 */
class OnnxExportTest {
    static final Path TINY = TestData.path("golden/tiny-tied");
    static final OnnxExporter.Options FP32 = new OnnxExporter.Options(OnnxExporter.Precision.FP32, 32, 0, null);

    @TempDir
    static Path tmp;
    static Path fp32;

    @BeforeAll
    static void exportFp32() throws Exception {
        fp32 = tmp.resolve("fp32");
        OnnxExporter.export(TINY, fp32, FP32);
    }

    static OrtDecoder ort(Path dir) throws Exception {
        return new OrtDecoder(dir.resolve("model.onnx"), 2, 2, 16, 512);
    }

    static float[] engine(Path dir, int[] ids) throws Exception {
        try (HunyuanModel m = HunyuanModel.load(dir)) {
            return m.forward(ids, ForwardOptions.ALL_LOGITS).logits();
        }
    }

    static int[] ints(long[] v) {
        return Arrays.stream(v).mapToInt(x -> (int) x).toArray();
    }

    static float[] reference(String name) throws Exception {
        try (SafetensorsFile f = SafetensorsFile.open(TINY.resolve("reference_outputs.safetensors"))) {
            return f.readFloats(name);
        }
    }

    static long[] referenceIds(String name) throws Exception {
        try (SafetensorsFile f = SafetensorsFile.open(TINY.resolve("reference_outputs.safetensors"))) {
            return f.readLongs(name);
        }
    }

    @Test
    void fp32LogitsMatchTheGoldenReferenceAndOurEngine() throws Exception {
        int[] ids = ints(referenceIds("input_ids"));
        try (OrtDecoder d = ort(fp32)) {
            float[] logits = d.forward(ids);
            double golden = TestData.relL2(logits, reference("logits")), ours = TestData.relL2(logits, engine(TINY, ids));
            System.out.printf("ORT fp32: rel L2 vs transformers %.3e, vs our engine %.3e%n", golden, ours);
            assertTrue(golden < 1e-5, "vs transformers " + golden);
            assertTrue(ours < 1e-5, "vs our engine " + ours);
        }
    }

    @Test
    void stepByStepDecodingWithTheCacheEqualsOneFullForward() throws Exception {
        int[] ids = ints(referenceIds("input_ids"));
        try (OrtDecoder d = ort(fp32)) {
            float[] full = d.forward(ids);
            d.reset(1);
            float[] stepped = new float[full.length];
            // A 3-token prefill, then one token per step.
            float[] first = d.step(new long[][]{{ids[0], ids[1], ids[2]}}, new long[][]{{1, 1, 1}});
            System.arraycopy(first, 0, stepped, 0, first.length);
            for (int t = 3; t < ids.length; t++) {
                float[] one = d.step(new long[][]{{ids[t]}}, new long[][]{{1}});
                System.arraycopy(one, 0, stepped, t * 512, 512);
            }
            double err = TestData.relL2(stepped, full);
            System.out.printf("ORT cached decode vs full forward: rel L2 %.3e%n", err);
            assertTrue(err < 1e-6, "cached vs full " + err);
        }
    }

    @Test
    void leftPaddedBatchMatchesTheGoldenBatch() throws Exception {
        long[] ids = referenceIds("batch_input_ids"), mask = referenceIds("batch_attention_mask");
        float[] golden = reference("batch_logits");
        int b = 2, s = 9;
        long[][] x = new long[b][s], m = new long[b][s];
        for (int i = 0; i < b; i++) {
            x[i] = Arrays.copyOfRange(ids, i * s, (i + 1) * s);
            m[i] = Arrays.copyOfRange(mask, i * s, (i + 1) * s);
        }
        try (OrtDecoder d = ort(fp32)) {
            d.reset(b);
            float[] logits = d.step(x, m);
            for (int i = 0; i < b; i++) {
                for (int t = 0; t < s; t++) {
                    if (m[i][t] == 0) continue;
                    int off = (i * s + t) * 512;
                    double err = TestData.relL2(Arrays.copyOfRange(logits, off, off + 512), Arrays.copyOfRange(golden, off, off + 512));
                    assertTrue(err < 1e-5, "row " + i + " position " + t + ": " + err);
                }
            }
        }
    }

    @Test
    void greedyTokensEqualTheGoldenGreedyOutput() throws Exception {
        long[] prompt = referenceIds("greedy_prompt"), expected = referenceIds("greedy_output");
        try (OrtDecoder d = ort(fp32)) {
            assertArrayEquals(ints(expected), d.greedy(ints(prompt), expected.length - prompt.length));
        }
    }

    @Test
    void fp16WeightsStayCloseToTheEngine() throws Exception {
        Path dir = tmp.resolve("fp16");
        OnnxExporter.export(TINY, dir, new OnnxExporter.Options(OnnxExporter.Precision.FP16, 32, 0, null));
        assertTrue(Files.size(dir.resolve("model.onnx")) < 0.6 * Files.size(fp32.resolve("model.onnx")));
        int[] ids = ints(referenceIds("input_ids"));
        try (OrtDecoder d = ort(dir)) {
            double err = TestData.relL2(d.forward(ids), engine(TINY, ids));
            System.out.printf("ORT fp16 vs fp32 engine: rel L2 %.3e%n", err);
            assertTrue(err < 5e-3, "fp16 vs fp32 engine " + err);
        }
    }

    static int[][] calibration(int samples, int len) {
        Random r = new Random(3);
        int[][] out = new int[samples][len];
        for (int[] s : out) for (int t = 0; t < len; t++) s[t] = r.nextInt(512);
        return out;
    }

    /** Logits within 1e-3 of our int4 engine on the same GPTQ checkpoint, and the same greedy tokens. */
    static void assertSameAsEngine(Path onnxDir, Path gptqDir) throws Exception {
        long[] prompt = referenceIds("greedy_prompt");
        int[] ids = ints(referenceIds("input_ids"));
        try (OrtDecoder d = ort(onnxDir); HunyuanModel m = HunyuanModel.load(gptqDir)) {
            double err = TestData.relL2(d.forward(ids), m.forward(ids, ForwardOptions.ALL_LOGITS).logits());
            System.out.printf("ORT int4 (%s) vs our int4 engine: rel L2 %.3e%n", onnxDir.getFileName(), err);
            assertTrue(err < 1e-3, "int4 ORT vs int4 engine " + err);
            int[] ours = Arrays.copyOf(ints(prompt), prompt.length + 16);
            for (int i = prompt.length; i < ours.length; i++) {
                float[] logits = m.forward(Arrays.copyOf(ours, i), ForwardOptions.LAST_LOGITS).logits();
                ours[i] = OrtDecoder.argmax(logits, 0, 512);
            }
            assertArrayEquals(ours, d.greedy(ints(prompt), 16));
        }
    }

    @Test
    void int4FromAGptqCheckpointEqualsOurInt4Engine() throws Exception {
        Path gptq = tmp.resolve("gptq");
        new GptqModelQuantizer(GptqModelQuantizer.Method.GPTQ, GptqOptions.DEFAULT.withGroupSize(32), false)
                .run(TINY, calibration(4, 32), "test", gptq, r -> {});
        Path dir = tmp.resolve("int4-gptq");
        OnnxExporter.Result result = OnnxExporter.export(gptq, dir, new OnnxExporter.Options(OnnxExporter.Precision.INT4, 128, 0, null));
        assertEquals(32, result.blockSize(), "a GPTQ checkpoint keeps its group size as the block size");
        assertSameAsEngine(dir, gptq);
    }

    @Test
    void int4FromAFloatModelEqualsOurEngineOnTheSameRoundToNearestWeights() throws Exception {
        Path rtn = tmp.resolve("rtn32");
        new GptqModelQuantizer(GptqModelQuantizer.Method.RTN, GptqOptions.DEFAULT.withGroupSize(32).withSym(false), false)
                .run(TINY, calibration(1, 8), "test", rtn, r -> {});
        Path dir = tmp.resolve("int4-asym");
        OnnxExporter.export(rtn, dir, new OnnxExporter.Options(OnnxExporter.Precision.INT4, 32, 0, null));
        assertSameAsEngine(dir, rtn);   // asymmetric: zero_points input written

        Path sym = tmp.resolve("rtn32sym"), fromFloat = tmp.resolve("int4-float");
        new GptqModelQuantizer(GptqModelQuantizer.Method.RTN, GptqOptions.DEFAULT.withGroupSize(32), false)
                .run(TINY, calibration(1, 8), "test", sym, r -> {});
        OnnxExporter.export(TINY, fromFloat, new OnnxExporter.Options(OnnxExporter.Precision.INT4, 32, 0, null));
        assertSameAsEngine(fromFloat, sym);
    }

    @Test
    void externalDataLoadsAndGivesTheSameLogits() throws Exception {
        Path dir = tmp.resolve("external");
        OnnxExporter.Result r = OnnxExporter.export(TINY, dir, new OnnxExporter.Options(OnnxExporter.Precision.FP32, 32, 0, true));
        assertTrue(r.externalData());
        assertTrue(Files.size(dir.resolve("model.onnx.data")) > 400_000);
        assertTrue(Files.size(dir.resolve("model.onnx")) < 100_000);
        int[] ids = ints(referenceIds("input_ids"));
        try (OrtDecoder a = ort(dir); OrtDecoder b = ort(fp32)) {
            assertArrayEquals(b.forward(ids), a.forward(ids));
        }
    }

    @Test
    void genaiConfigAndSideFiles() throws Exception {
        JsonNode c = new ObjectMapper().readTree(fp32.resolve("genai_config.json").toFile());
        JsonNode d = c.path("model").path("decoder");
        assertEquals("hunyuandensev1", c.path("model").path("type").asText());
        assertEquals("model.onnx", d.path("filename").asText());
        assertEquals("past_key_values.%d.key", d.path("inputs").path("past_key_names").asText());
        assertEquals("present.%d.value", d.path("outputs").path("present_value_names").asText());
        assertEquals(16, d.path("head_size").asInt());
        assertEquals(2, d.path("num_key_value_heads").asInt());
        assertEquals(512, c.path("model").path("vocab_size").asInt());
        assertTrue(Files.isRegularFile(fp32.resolve("generation_config.json")));
        assertFalse(Files.exists(fp32.resolve("model.onnx.data")));
    }
}
