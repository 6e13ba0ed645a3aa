package dev.hymt4j.onnx;

import com.fasterxml.jackson.databind.node.MissingNode;
import dev.hymt4j.gguf.GgufModelWriter;
import dev.hymt4j.gguf.HunyuanGguf;
import dev.hymt4j.model.Checkpoint;
import dev.hymt4j.model.ModelWeights;
import dev.hymt4j.quant.GgufFileType;
import dev.hymt4j.testing.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static dev.hymt4j.onnx.OnnxExportTest.TINY;
import static dev.hymt4j.onnx.OnnxExportTest.engine;
import static dev.hymt4j.onnx.OnnxExportTest.ints;
import static dev.hymt4j.onnx.OnnxExportTest.ort;
import static dev.hymt4j.onnx.OnnxExportTest.referenceIds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code export onnx --model FILE.gguf}: ONNX Runtime runs the exports of GGUF files of the golden tiny model.
 * A Q4_0 file goes to MatMulNBits without re-quantization (ORT's logits equal our engine's on the GGUF to float
 * rounding, not to the few percent a re-quantization costs); fp32 from a Q8_0 file holds its dequantized weights;
 * int4 from Q8_0 is re-quantized and its error reported.
 */
class OnnxFromGgufTest {
    @TempDir
    static Path tmp;

    static Path gguf(GgufFileType type) throws Exception {
        Path out = tmp.resolve("tiny-" + type + ".gguf");
        try (Checkpoint ckpt = Checkpoint.open(TINY)) {
            GgufModelWriter.write(ModelWeights.load(ckpt), type, HunyuanGguf.converterMetadata(ckpt.config(), "tiny",
                    MissingNode.getInstance(), out.toString()), out, GgufModelWriter.Progress.NONE);
        }
        return out;
    }

    static double ortVersusEngine(Path onnxDir, Path gguf) throws Exception {
        int[] ids = ints(referenceIds("input_ids"));
        try (OrtDecoder d = ort(onnxDir)) {
            return TestData.relL2(d.forward(ids), engine(gguf, ids));
        }
    }

    @Test
    void q4_0GoesToMatMulNBitsLosslessly() throws Exception {
        Path gguf = gguf(GgufFileType.Q4_0), dir = tmp.resolve("int4-q4_0");
        OnnxExporter.Result r = OnnxExporter.export(gguf, dir, new OnnxExporter.Options(OnnxExporter.Precision.INT4, 128, 0, null));
        assertEquals(14, r.carriedOver());
        assertTrue(r.requantized().isEmpty(), r.requantized().toString());
        assertEquals(32, r.blockSize(), "Q4_0's block, whatever --block-size says");
        double err = ortVersusEngine(dir, gguf);
        System.out.printf("ORT int4 (from GGUF Q4_0) vs our engine on the GGUF: rel L2 %.3e%n", err);
        assertTrue(err < 1e-5, "rel L2 " + err);
        OnnxExportTest.assertSameAsEngine(dir, gguf);   // and the same greedy tokens
        assertTrue(Files.isRegularFile(dir.resolve("genai_config.json")));
        // The tiny golden model has no tokenizer, so its GGUF has none to write (ExportOnnxGgufCommandTest has one).
        assertTrue(r.notes().stream().anyMatch(n -> n.contains("no tokenizer files") && n.contains("copy tokenizer.json")), r.notes().toString());
    }

    @Test
    void fp32FromAQuantizedGgufHoldsItsDequantizedWeights() throws Exception {
        Path gguf = gguf(GgufFileType.Q8_0), dir = tmp.resolve("fp32-q8_0");
        OnnxExporter.export(gguf, dir, OnnxExportTest.FP32);
        double err = ortVersusEngine(dir, gguf);
        System.out.printf("ORT fp32 (from GGUF Q8_0) vs our engine on the GGUF: rel L2 %.3e%n", err);
        assertTrue(err < 1e-5, "rel L2 " + err);
    }

    @Test
    void int4FromOtherBlocksIsRequantizedWithItsErrorReported() throws Exception {
        Path gguf = gguf(GgufFileType.Q8_0), dir = tmp.resolve("int4-q8_0");
        OnnxExporter.Result r = OnnxExporter.export(gguf, dir, new OnnxExporter.Options(OnnxExporter.Precision.INT4, 32, 0, null));
        assertEquals(0, r.carriedOver());
        assertEquals(14, r.requantized().size());
        for (var e : r.requantized().entrySet()) {
            // 4-bit round-to-nearest of 8-bit weights: several percent of the weight norm, neither zero nor garbage
            assertTrue(e.getValue() > 1e-3 && e.getValue() < 0.25, e.getKey() + " error " + e.getValue());
        }
        System.out.printf("int4 re-quantized from Q8_0: weight rel L2 error %.3e .. %.3e%n",
                r.requantized().values().stream().mapToDouble(Double::doubleValue).min().orElseThrow(),
                r.requantized().values().stream().mapToDouble(Double::doubleValue).max().orElseThrow());
        double err = ortVersusEngine(dir, gguf);
        System.out.printf("ORT int4 (re-quantized from GGUF Q8_0) vs our engine on the Q8_0 GGUF: rel L2 %.3e%n", err);
        assertTrue(err > 1e-4 && err < 0.5, "rel L2 " + err);
    }
}
