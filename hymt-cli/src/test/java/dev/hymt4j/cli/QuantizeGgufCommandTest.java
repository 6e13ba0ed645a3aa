package dev.hymt4j.cli;

import dev.hymt4j.demo.DemoSetup;
import dev.hymt4j.gguf.GgmlType;
import dev.hymt4j.gguf.GgufCheckpoint;
import dev.hymt4j.gguf.GgufFile;
import dev.hymt4j.gguf.GgufTensorInfo;
import dev.hymt4j.lora.LoraAdapter;
import dev.hymt4j.lora.LoraConfig;
import dev.hymt4j.lora.LoraModule;
import dev.hymt4j.model.DemoModel;
import dev.hymt4j.model.ForwardOptions;
import dev.hymt4j.model.HunyuanModel;
import dev.hymt4j.model.ModelWeights;
import dev.hymt4j.model.ModelConfig;
import dev.hymt4j.safetensors.DType;
import dev.hymt4j.testing.TestData;
import dev.hymt4j.tokenizer.Tokenizer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import static dev.hymt4j.cli.CoreCommandsTest.hymt;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code hymt quantize} and {@code hymt export gguf-lora} on a demo model whose rows fit the k-quants (256). */
class QuantizeGgufCommandTest {
    @TempDir
    static Path dir;
    static Path model;

    /** The demo architecture at hidden size 256 and two layers: k-quant blocks apply, the mixes differ by layer. */
    static final java.util.function.IntFunction<DemoModel.Shape> SHAPE = v -> new DemoModel.Shape(v, 256, 2, 4, 2, 64, 512, true);

    @BeforeAll
    static void demo() throws Exception {
        model = dir.resolve("demo");
        DemoSetup.create(model, 3, 400, DType.F32, SHAPE);
    }

    @Test
    void q4KMWritesLlamaQuantizesTypeMixTheTokenizerAndRuns() throws Exception {
        Path out = dir.resolve("demo-Q4_K_M.gguf");
        CoreCommandsTest.Run r = hymt("quantize", "--model", model.toString(), "--type", "q4_k_m", "--out", out.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.err().contains("wrote " + out) && r.err().contains("Q4_K_M"), r.err());
        try (GgufCheckpoint c = GgufCheckpoint.open(out)) {
            GgufFile f = c.file();
            assertEquals(15, f.metadata().integer("general.file_type", 0));
            assertEquals(2, f.metadata().integer("general.quantization_version", 0));
            // spec §5.7 with n = 2 layers: use_more_bits(i, 2) holds for layer 1 only (i ≥ 7·2/8)
            assertEquals(GgmlType.Q6_K, f.info("token_embd.weight").type(), "tied embedding = output");
            assertEquals(GgmlType.Q4_K, f.info("blk.0.attn_v.weight").type());
            assertEquals(GgmlType.Q6_K, f.info("blk.1.attn_v.weight").type());
            assertEquals(GgmlType.Q4_K, f.info("blk.0.ffn_down.weight").type());
            assertEquals(GgmlType.Q6_K, f.info("blk.1.ffn_down.weight").type());
            assertEquals(GgmlType.Q4_K, f.info("blk.1.attn_q.weight").type());
            assertEquals(GgmlType.F32, f.info("blk.0.attn_norm.weight").type());
            for (GgufTensorInfo t : f.tensors().values()) assertTrue(t.offset() % 32 == 0);
            // the tokenizer travels in the file
            Tokenizer fromJson = Tokenizer.load(model), fromGguf = Tokenizer.load(out);
            String text = "Select a magnification for the print preview. 打印预览 1234567";
            assertArrayEquals(fromJson.encode(text), fromGguf.encode(text));
            // and the quantized model runs close to its float source
            int[] ids = fromJson.encode(text);
            float[] q = new HunyuanModel(ModelWeights.load(c)).forward(ids, ForwardOptions.ALL_LOGITS).logits();
            try (HunyuanModel source = HunyuanModel.load(model)) {
                float[] full = source.forward(ids, ForwardOptions.ALL_LOGITS).logits();
                double err = TestData.relL2(q, full);
                assertTrue(err < 0.1, "Q4_K_M vs F32 logits rel L2 " + err);
            }
        }
    }

    @Test
    void everyTypeWritesAFileOfItsMix() {
        for (String type : List.of("Q8_0", "Q6_K", "Q5_K_M", "Q4_0", "F16", "BF16")) {
            Path out = dir.resolve("demo-" + type + ".gguf");
            CoreCommandsTest.Run r = hymt("quantize", "--model", model.toString(), "--type", type, "--out", out.toString());
            assertEquals(0, r.exitCode(), type + ": " + r.err());
        }
        try (GgufFile q6 = GgufFile.open(dir.resolve("demo-Q6_K.gguf")); GgufFile q40 = GgufFile.open(dir.resolve("demo-Q4_0.gguf"));
             GgufFile q5 = GgufFile.open(dir.resolve("demo-Q5_K_M.gguf")); GgufFile bf = GgufFile.open(dir.resolve("demo-BF16.gguf"))) {
            assertEquals(GgmlType.Q6_K, q6.info("blk.0.ffn_up.weight").type());
            assertEquals(GgmlType.Q4_0, q40.info("blk.0.ffn_up.weight").type());
            assertEquals(GgmlType.Q6_K, q40.info("token_embd.weight").type(), "llama-quantize gives the tied output 6 bits even in Q4_0");
            assertEquals(GgmlType.Q5_K, q5.info("blk.0.ffn_down.weight").type());
            assertEquals(GgmlType.Q6_K, q5.info("blk.1.ffn_down.weight").type());
            assertEquals(GgmlType.BF16, bf.info("token_embd.weight").type());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void refusesToOverwriteAndExplainsBadInput() throws Exception {
        Path out = dir.resolve("twice.gguf");
        assertEquals(0, hymt("quantize", "--model", model.toString(), "--type", "Q8_0", "--out", out.toString()).exitCode());
        CoreCommandsTest.Run again = hymt("quantize", "--model", model.toString(), "--type", "Q8_0", "--out", out.toString());
        assertEquals(1, again.exitCode());
        assertTrue(again.err().contains("already exists") && again.err().contains("add --force to replace it"), again.err());
        assertEquals(0, hymt("quantize", "--model", model.toString(), "--type", "Q8_0", "--out", out.toString(), "--force").exitCode());

        CoreCommandsTest.Run self = hymt("quantize", "--model", out.toString(), "--type", "Q4_0", "--out", out.toString(), "--force");
        assertTrue(self.err().contains("is the input --model") && self.err().contains("nothing was written"), self.err());
        CoreCommandsTest.Run inside = hymt("quantize", "--model", model.toString(), "--type", "Q4_0", "--out", model.resolve("x.gguf").toString());
        assertTrue(inside.err().contains("is inside the input directory --model"), inside.err());
        assertFalse(Files.exists(model.resolve("x.gguf")));
        CoreCommandsTest.Run directory = hymt("quantize", "--model", model.toString(), "--type", "Q4_0", "--out", dir.toString());
        assertTrue(directory.err().contains("is a directory; expected a file name"), directory.err());
        CoreCommandsTest.Run requantize = hymt("quantize", "--model", out.toString(), "--type", "Q4_0", "--out", dir.resolve("re.gguf").toString());
        assertEquals(1, requantize.exitCode());
        assertTrue(requantize.err().contains("is already Q8_0") && requantize.err().contains("--allow-requantize"), requantize.err());
        CoreCommandsTest.Run type = hymt("quantize", "--model", model.toString(), "--type", "Q3_K_S", "--out", dir.resolve("q3.gguf").toString());
        assertEquals(2, type.exitCode());
        assertTrue(type.err().contains("--type Q3_K_S is not a GGUF type; use one of F32, F16, BF16, Q8_0, Q4_0, Q6_K, Q5_K_M, Q4_K_M"), type.err());
    }

    /** One quantize, two paths: --type (GGUF file) or --method (GPTQ directory), never both, never neither. */
    @Test
    void typeAndMethodChooseThePathAndTheOtherPathsOptionsAreRefused() throws Exception {
        Path out = dir.resolve("mode.gguf");
        CoreCommandsTest.Run both = hymt("quantize", "--model", model.toString(), "--type", "Q8_0", "--method", "rtn", "--out", out.toString());
        assertEquals(2, both.exitCode());
        assertTrue(both.err().contains("give --type (a GGUF file) or --method rtn (a GPTQ checkpoint directory), not both"), both.err());
        CoreCommandsTest.Run neither = hymt("quantize", "--model", model.toString(), "--out", out.toString());
        assertEquals(2, neither.exitCode());
        assertTrue(neither.err().contains("give --type F32|F16|BF16|Q8_0|Q4_0|Q6_K|Q5_K_M|Q4_K_M to write a GGUF file, "
                + "or --method gptq|rtn to write a GPTQ checkpoint directory"), neither.err());
        CoreCommandsTest.Run bits = hymt("quantize", "--model", model.toString(), "--type", "Q4_0", "--bits", "4", "--out", out.toString());
        assertEquals(2, bits.exitCode());
        assertTrue(bits.err().contains("--bits is an option of --method gptq|rtn, not of --type Q4_0"), bits.err());
        CoreCommandsTest.Run name = hymt("quantize", "--model", model.toString(), "--method", "rtn", "--name", "x",
                "--out", dir.resolve("rtn").toString());
        assertEquals(2, name.exitCode());
        assertTrue(name.err().contains("--name is an option of --type (GGUF), not of --method rtn"), name.err());
        assertFalse(Files.exists(out) || Files.exists(dir.resolve("rtn")), "nothing is written for refused options");

        Path f16 = dir.resolve("mode-F16.gguf");
        assertEquals(0, hymt("quantize", "--model", model.toString(), "--type", "F16", "--out", f16.toString()).exitCode());
        CoreCommandsTest.Run gptqOfGguf = hymt("quantize", "--model", f16.toString(), "--method", "rtn", "--out", dir.resolve("rtn").toString());
        assertEquals(1, gptqOfGguf.exitCode());
        assertTrue(gptqOfGguf.err().contains("--method rtn quantizes a Hugging Face directory (safetensors), not a GGUF file"), gptqOfGguf.err());
        // --method makes --out a directory: an existing file there is refused before anything runs
        CoreCommandsTest.Run fileOut = hymt("quantize", "--model", model.toString(), "--method", "rtn", "--out", f16.toString(), "--force");
        assertTrue(fileOut.err().contains("is a file; expected a directory"), fileOut.err());
    }

    @Test
    void requantizesAnUnquantizedGguf() throws Exception {
        Path f16 = dir.resolve("src-F16.gguf"), q = dir.resolve("from-f16-Q4_K_M.gguf");
        assertEquals(0, hymt("quantize", "--model", model.toString(), "--type", "F16", "--out", f16.toString()).exitCode());
        CoreCommandsTest.Run r = hymt("quantize", "--model", f16.toString(), "--type", "Q4_K_M", "--out", q.toString());
        assertEquals(0, r.exitCode(), r.err());
        try (GgufFile f = GgufFile.open(q)) {
            assertEquals(GgmlType.Q6_K, f.info("blk.1.attn_v.weight").type());
            assertTrue(f.metadata().has("tokenizer.ggml.tokens"), "the source's metadata is carried over");
        }
    }

    /** An adapter with non-zero B on every projection, saved in PEFT's format. */
    static Path adapter(String name, ModelConfig config, boolean rslora) throws Exception {
        return adapter(dir, model, name, config, rslora);
    }

    static Path adapter(Path dir, Path model, String name, ModelConfig config, boolean rslora) throws Exception {
        LoraConfig lora = LoraConfig.of(8, 16, 0, "q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
                .withRslora(rslora).withBaseModel(model.toString());
        LoraAdapter a = LoraAdapter.create(config, lora, 5);
        SplittableRandom random = new SplittableRandom(9);
        for (LoraModule m : a.modules()) {
            float[] b = m.b().value();
            for (int i = 0; i < b.length; i++) b[i] = (float) (random.nextGaussian() * 0.05);
        }
        Path out = dir.resolve(name);
        a.save(out);
        return out;
    }

    @Test
    void exportGgufLoraWritesLlamaCppsAdapterFormat() throws Exception {
        ModelConfig config = ModelConfig.load(model.resolve("config.json"));
        for (boolean rslora : new boolean[] {false, true}) {
            Path peft = adapter(rslora ? "rslora" : "lora", config, rslora);
            Path out = dir.resolve((rslora ? "rslora" : "lora") + ".gguf");
            CoreCommandsTest.Run r = hymt("export", "gguf-lora", "--adapter", peft.toString(), "--out", out.toString());
            assertEquals(0, r.exitCode(), r.err());
            LoraAdapter saved = LoraAdapter.load(peft, config);
            try (GgufFile f = GgufFile.open(out)) {
                assertEquals("adapter", f.metadata().string("general.type"));
                assertEquals("lora", f.metadata().string("adapter.type"));
                assertEquals("hunyuan-dense", f.architecture());
                // llama.cpp scales by alpha / r; rsLoRA's alpha / √r needs alpha·√r stored (spec §5.8)
                assertEquals(rslora ? 16 * Math.sqrt(8) : 16, f.metadata().real("adapter.lora.alpha"), 1e-5);
                assertEquals(2 * 7 * 2, f.tensors().size());
                GgufTensorInfo a = f.info("blk.1.attn_q.weight.lora_a"), b = f.info("blk.1.attn_q.weight.lora_b");
                assertArrayEquals(new long[] {256, 8}, a.ne(), "ne = [in, r]");
                assertArrayEquals(new long[] {8, 256}, b.ne(), "ne = [r, out]");
                assertEquals(GgmlType.F32, a.type());
                LoraModule m = saved.modules().stream().filter(x -> x.layer() == 1 && x.target().moduleName().equals("q_proj")).findFirst().orElseThrow();
                var f32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
                assertArrayEquals(m.a().value(), f.data(a.name()).toArray(f32));
                assertArrayEquals(m.b().value(), f.data(b.name()).toArray(f32));
                assertArrayEquals(new long[] {512, 8}, f.info("blk.0.ffn_down.weight.lora_a").ne());
            }
        }
    }

    @Test
    void exportGgufLoraNeverWritesIntoTheBaseTheAdapterNames() throws Exception {
        Path peft = adapter("lora-base-check", ModelConfig.load(model.resolve("config.json")), false);
        Path out = model.resolve("adapter.gguf");
        CoreCommandsTest.Run r = hymt("export", "gguf-lora", "--adapter", peft.toString(), "--out", out.toString());
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("is inside the input directory base_model_name_or_path " + model), r.err());
        assertFalse(Files.exists(out));
    }
}
