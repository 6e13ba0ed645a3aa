package dev.hymt4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hymt4j.demo.DemoSetup;
import dev.hymt4j.model.ForwardOptions;
import dev.hymt4j.model.HunyuanModel;
import dev.hymt4j.quant.GptqMatrix;
import dev.hymt4j.testing.TestData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static dev.hymt4j.cli.CoreCommandsTest.hymt;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code hymt quantize --method gptq} on the demo model, and its errors for bad input. */
class QuantizeCommandTest {
    @TempDir
    static Path tmp;
    static Path demo;

    @BeforeAll
    static void demoModel() throws Exception {
        demo = tmp.resolve("demo");
        DemoSetup.create(demo, 3);
    }

    @Test
    void gptqWritesACheckpointOurEngineRuns() throws Exception {
        Path out = tmp.resolve("gptq");
        CoreCommandsTest.Run r = hymt("quantize", "--model", demo.toString(), "--method", "gptq", "--samples", "4", "--seq-len", "64",
                "--compare-rtn", "--out", out.toString(), "--threads", "2");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("layer 4/4"), r.out());
        assertTrue(r.out().contains("round-to-nearest"), r.out());
        assertTrue(Files.isRegularFile(out.resolve("tokenizer.json")));
        try (HunyuanModel m = HunyuanModel.load(out)) {
            assertInstanceOf(GptqMatrix.class, m.weights().layers()[0].down());
            float[] logits = m.forward(new int[]{1, 20, 300, 42}, ForwardOptions.LAST_LOGITS).logits();
            for (float v : logits) assertTrue(Float.isFinite(v));
        }
    }

    /**
     * {@code --type Q4_0} from a symmetric 4-bit GPTQ checkpoint carries the codes over (the bit-for-bit weight
     * comparison is GptqToGgufTest's); an asymmetric one is refused with the reason unless --allow-requantize.
     */
    @Test
    void gptqCheckpointConvertsToGguf() throws Exception {
        Path sym = tmp.resolve("gptq-rtn-sym"), asym = tmp.resolve("gptq-rtn-asym");
        assertEquals(0, hymt("quantize", "--model", demo.toString(), "--method", "rtn", "--group-size", "32", "--out", sym.toString()).exitCode());
        assertEquals(0, hymt("quantize", "--model", demo.toString(), "--method", "rtn", "--group-size", "32", "--asym", "--out",
                asym.toString()).exitCode());
        Path gguf = tmp.resolve("demo-gptq-Q4_0.gguf");
        CoreCommandsTest.Run r = hymt("quantize", "--model", sym.toString(), "--type", "Q4_0", "--out", gguf.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.err().contains("GPTQ → Q4_0: 28 matrices carried over bit for bit"), r.err());
        try (HunyuanModel fromGguf = HunyuanModel.load(gguf); HunyuanModel fromGptq = HunyuanModel.load(sym)) {
            int[] ids = {1, 20, 300, 42};
            double err = TestData.relL2(fromGguf.forward(ids, ForwardOptions.ALL_LOGITS).logits(),
                    fromGptq.forward(ids, ForwardOptions.ALL_LOGITS).logits());
            assertTrue(err < 1e-5, "logits rel L2 " + err);
        }
        // and on to ONNX: the Q4_0 blocks become MatMulNBits blocks as they are
        Path onnx = tmp.resolve("onnx-from-gguf");
        r = hymt("export", "onnx", "--model", gguf.toString(), "--precision", "int4", "--out", onnx.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("int4, block 32") && r.out().contains("int4 from GGUF: 28 Q4_0 matrices carried over losslessly"), r.out());
        assertTrue(Files.isRegularFile(onnx.resolve("model.onnx")) && Files.isRegularFile(onnx.resolve("genai_config.json")));
        // the tokenizer travels as GGUF metadata and comes back as files that tokenize as the demo's tokenizer.json
        assertTrue(r.err().contains("note: tokenizer.json and tokenizer_config.json were written from the GGUF's tokenizer metadata"), r.err());
        dev.hymt4j.tokenizer.Tokenizer original = dev.hymt4j.tokenizer.Tokenizer.load(demo), exported = dev.hymt4j.tokenizer.Tokenizer.load(onnx);
        for (String text : java.util.List.of("Translate the following segment into German, without additional explanation.\n\nHello, world.",
                "你好，世界 1234567 ١٢٣", "<｜hy_User｜>a  b\n\n")) {
            assertArrayEquals(original.encode(text), exported.encode(text), text);
        }
        Path lossy = tmp.resolve("demo-asym-Q4_0.gguf");
        r = hymt("quantize", "--model", asym.toString(), "--type", "Q4_0", "--out", lossy.toString());
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("28 of 28 GPTQ matrices have no exact Q4_0 form") && r.err().contains("asymmetric: zero point")
                && r.err().contains("--allow-requantize"), r.err());
        assertFalse(Files.exists(lossy));
        r = hymt("quantize", "--model", asym.toString(), "--type", "Q4_0", "--allow-requantize", "--out", lossy.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.err().contains("28 matrices re-quantized (lossy), largest relative L2 error"), r.err());
    }

    @Test
    void exportOnnxWritesTheGenaiLayoutAndRefusesBadOptions() throws Exception {
        Path out = tmp.resolve("onnx");
        CoreCommandsTest.Run r = hymt("export", "onnx", "--model", demo.toString(), "--precision", "int4", "--out", out.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("int4, block 32"), r.out());
        for (String f : new String[]{"model.onnx", "genai_config.json", "tokenizer.json"}) assertTrue(Files.isRegularFile(out.resolve(f)), f);
        Path bad = tmp.resolve("onnx-bad");
        r = hymt("export", "onnx", "--model", demo.toString(), "--precision", "int4", "--block-size", "24", "--out", bad.toString());
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("--block-size 24: MatMulNBits needs a power of two from 16 to 4096"), r.err());
        r = hymt("export", "onnx", "--model", demo.toString(), "--accuracy-level", "7", "--out", bad.toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("--accuracy-level") && r.err().contains("7"), r.err());
        assertFalse(Files.exists(bad), "nothing is written for refused options");
        r = hymt("export", "onnx", "--model", demo.toString(), "--precision", "int4", "--out", out.toString());
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("add --force to replace it"), r.err());
    }

    @Test
    void unsupportedBitsAndGroupSizesAreClearErrors() {
        CoreCommandsTest.Run r = hymt("quantize", "--model", demo.toString(), "--method", "gptq", "--bits", "3", "--out", tmp.resolve("x").toString());
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("--bits 3: GPTQ bits 3 is not supported (supported: 2, 4 and 8"), r.err());
        r = hymt("quantize", "--model", demo.toString(), "--method", "gptq", "--group-size", "100", "--out", tmp.resolve("x").toString());
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("--group-size 100: GPTQ group size 100 is not supported"), r.err());
    }

    @Test
    void emptyOrTooShortCalibrationIsAClearError() throws Exception {
        Path empty = Files.writeString(tmp.resolve("empty.jsonl"), "");
        CoreCommandsTest.Run r = hymt("quantize", "--model", demo.toString(), "--method", "gptq", "--calibration", empty.toString(),
                "--out", tmp.resolve("x").toString());
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("empty.jsonl: no calibration examples (the file is empty)"), r.err());
        Path shortFile = Files.writeString(tmp.resolve("short.txt"), "Hello world.\nOpen the file.\n");
        r = hymt("quantize", "--model", demo.toString(), "--method", "gptq", "--calibration", shortFile.toString(),
                "--out", tmp.resolve("x").toString());
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("short.txt: too short for calibration: 2 examples give"), r.err());
        assertTrue(r.err().contains("needs 65536"), r.err());
        r = hymt("quantize", "--model", demo.toString(), "--method", "gptq", "--calibration", tmp.resolve("missing.jsonl").toString(),
                "--out", tmp.resolve("x").toString());
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("missing.jsonl: calibration file not found"), r.err());
    }

    @Test
    void nonHunyuanOrAlreadyQuantizedModelsAreRefused() throws Exception {
        Path llama = Files.createDirectories(tmp.resolve("llama"));
        Files.writeString(llama.resolve("config.json"), "{\"model_type\": \"llama\", \"hidden_size\": 64}");
        CoreCommandsTest.Run r = hymt("quantize", "--model", llama.toString(), "--method", "gptq", "--out", tmp.resolve("x").toString());
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("unsupported model_type \"llama\""), r.err());

        Path quantized = Files.createDirectories(tmp.resolve("already"));
        for (String f : new String[]{"model.safetensors", "tokenizer.json", "tokenizer_config.json"}) Files.copy(demo.resolve(f), quantized.resolve(f));
        ObjectMapper json = new ObjectMapper();
        ObjectNode config = (ObjectNode) json.readTree(demo.resolve("config.json").toFile());
        config.putObject("quantization_config").put("quant_method", "gptq").put("bits", 4).put("group_size", 128);
        Files.writeString(quantized.resolve("config.json"), json.writeValueAsString(config));
        r = hymt("quantize", "--model", quantized.toString(), "--method", "gptq", "--samples", "2", "--seq-len", "16",
                "--out", tmp.resolve("x").toString());
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("already quantized"), r.err());
    }
}
