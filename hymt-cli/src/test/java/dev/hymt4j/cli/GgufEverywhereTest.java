package dev.hymt4j.cli;

import dev.hymt4j.demo.DemoSetup;
import dev.hymt4j.gguf.GgufFile;
import dev.hymt4j.gguf.GgufMetadata;
import dev.hymt4j.gguf.GgufModelWriter;
import dev.hymt4j.gguf.GgufValue;
import dev.hymt4j.lora.LoraAdapter;
import dev.hymt4j.model.ForwardOptions;
import dev.hymt4j.model.HunyuanModel;
import dev.hymt4j.model.ModelWeights;
import dev.hymt4j.prompt.Language;
import dev.hymt4j.prompt.TranslationRequest;
import dev.hymt4j.safetensors.DType;
import dev.hymt4j.safetensors.SafetensorsFile;
import dev.hymt4j.quant.GgufFileType;
import dev.hymt4j.tokenizer.Tokenizer;
import dev.hymt4j.translate.Translator;
import dev.hymt4j.weights.WeightSource;
import dev.hymt4j.weights.WeightSources;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

import static dev.hymt4j.cli.CoreCommandsTest.hymt;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A .gguf file works wherever a model directory does, and --adapter applies a PEFT adapter on a quantized base. */
class GgufEverywhereTest {
    @TempDir
    static Path dir;
    static Path model, gguf, adapter;
    static final int[] IDS = {5, 77, 200, 301, 42, 17};

    @BeforeAll
    static void setUp() throws Exception {
        model = dir.resolve("demo");
        DemoSetup.create(model, 4, 400, DType.F32, QuantizeGgufCommandTest.SHAPE);
        gguf = dir.resolve("demo-Q4_K_M.gguf");
        assertEquals(0, hymt("quantize", "--model", model.toString(), "--type", "Q4_K_M", "--out", gguf.toString()).exitCode());
        try (WeightSource s = WeightSources.open(gguf)) {
            adapter = QuantizeGgufCommandTest.adapter(dir, model, "adapter", s.config(), false);
        }
    }

    static String ids() {
        return Arrays.stream(IDS).mapToObj(Integer::toString).collect(Collectors.joining(","));
    }

    static float[] logits(String... extra) throws Exception {
        Path out = Files.createTempFile(dir, "logits", ".safetensors");
        String[] args = {"debug", "logits", "--model", gguf.toString(), "--ids", ids(), "--out", out.toString()};
        CoreCommandsTest.Run r = hymt(concat(args, extra));
        assertEquals(0, r.exitCode(), r.err());
        try (SafetensorsFile f = SafetensorsFile.open(out)) {
            return f.readFloats("logits");
        }
    }

    static String[] concat(String[] a, String[] b) {
        String[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void debugLogitsRunsTheQuantizedFileWithAndWithoutAnAdapter() throws Exception {
        try (WeightSource s = WeightSources.open(gguf)) {
            ModelWeights w = ModelWeights.load(s);
            LoraAdapter a = LoraAdapter.load(adapter, s.config());
            HunyuanModel m = new HunyuanModel(w);
            assertArrayEquals(m.forward(IDS, ForwardOptions.ALL_LOGITS).logits(), logits());
            float[] adapted = logits("--adapter", adapter.toString());
            assertArrayEquals(m.forward(IDS, ForwardOptions.ALL_LOGITS, a).logits(), adapted, "adapter on the Q4_K base, unmerged");
            assertFalse(Arrays.equals(adapted, logits()));
        }
    }

    @Test
    void generateTranslateEvalInspectTokenizeAndBenchTakeAGguf() throws Exception {
        CoreCommandsTest.Run g = hymt("generate", "--model", gguf.toString(), "--ids", ids(), "--greedy", "--max-new-tokens", "4",
                "--adapter", adapter.toString());
        assertEquals(0, g.exitCode(), g.err());
        assertTrue(g.lastLine().startsWith(ids() + ","), g.out());

        CoreCommandsTest.Run t = hymt("translate", "--model", gguf.toString(), "--to", "zh", "--greedy", "--max-new-tokens", "4",
                "Select a magnification for the print preview.");
        assertEquals(0, t.exitCode(), t.err());
        CoreCommandsTest.Run ta = hymt("translate", "--model", gguf.toString(), "--adapter", adapter.toString(), "--to", "de",
                "--greedy", "--max-new-tokens", "4", "Select a magnification.");
        assertEquals(0, ta.exitCode(), ta.err());

        Path data = dir.resolve("test.jsonl");
        Files.writeString(data, "{\"source\": \"Select a magnification.\", \"target\": \"选择放大倍数。\", \"src_lang\": \"en\", \"tgt_lang\": \"zh\"}\n");
        CoreCommandsTest.Run e = hymt("eval", "--model", gguf.toString(), "--adapter", adapter.toString(), "--data", data.toString(),
                "--max-new-tokens", "4");
        assertEquals(0, e.exitCode(), e.err());

        CoreCommandsTest.Run i = hymt("inspect", "--model", gguf.toString());
        assertEquals(0, i.exitCode(), i.err());
        assertTrue(i.out().contains("file type 15 (Q4_K_M)") && i.out().contains("blk.1.attn_v.weight"), i.out());

        CoreCommandsTest.Run k = hymt("tokenize", "--tokenizer", gguf.toString(), "打印预览 1234567");
        assertEquals(0, k.exitCode(), k.err());
        String expected = Arrays.toString(Tokenizer.load(model).encode("打印预览 1234567"));
        assertTrue(k.out().contains(expected), k.out() + " should show " + expected);

        CoreCommandsTest.Run b = hymt("bench", "--model", gguf.toString(), "--prompt-tokens", "8", "--decode-tokens", "2", "--threads", "1");
        assertEquals(0, b.exitCode(), b.err());
        assertTrue(b.out().contains("Q6_K"), b.out());
    }

    @Test
    void translatorLoadTakesAGgufWithItsStopIds() throws Exception {
        try (Translator t = Translator.load(gguf)) {
            int eos = Tokenizer.load(model).tokenId(dev.hymt4j.tokenizer.HunyuanTokens.EOS);
            assertTrue(t.generation().stopTokenIds().contains(eos));
            assertTrue(t.translate(TranslationRequest.of("Select a magnification.", Language.parse("zh"))).promptTokens() > 0);
        }
    }

    @Test
    void aGgufWithAnotherModelsChatTemplateIsRefused() throws Exception {
        Path other = dir.resolve("other-template.gguf");
        try (WeightSource s = WeightSources.open(gguf); GgufFile f = GgufFile.open(gguf)) {
            GgufMetadata m = new GgufMetadata(other.toString(), f.metadata().asMap());
            m.put("tokenizer.chat_template", GgufValue.string("{% for m in messages %}<|im_start|>{{ m.content }}<|im_end|>{% endfor %}"));
            GgufModelWriter.write(ModelWeights.load(s), GgufFileType.F16, m, other, GgufModelWriter.Progress.NONE);
        }
        IOException e = assertThrows(IOException.class, () -> Translator.load(other));
        assertTrue(e.getMessage().contains("not the HY-MT1.5 chat template"), e.getMessage());
    }
}
