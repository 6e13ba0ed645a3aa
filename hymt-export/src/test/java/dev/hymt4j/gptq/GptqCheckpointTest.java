package dev.hymt4j.gptq;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hymt4j.model.Checkpoint;
import dev.hymt4j.model.ForwardOptions;
import dev.hymt4j.model.HunyuanModel;
import dev.hymt4j.model.ModelConfig;
import dev.hymt4j.model.ModelWeights;
import dev.hymt4j.quant.GptqConfig;
import dev.hymt4j.quant.GptqLinears;
import dev.hymt4j.quant.GptqMatrix;
import dev.hymt4j.safetensors.DType;
import dev.hymt4j.safetensors.SafetensorsFile;
import dev.hymt4j.safetensors.SafetensorsWriter;
import dev.hymt4j.safetensors.TensorInfo;
import dev.hymt4j.tensor.Matrix;
import dev.hymt4j.testing.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GPTQ checkpoints written by us load and run in our engine: the logits equal those of a plain F32 checkpoint
 * holding the dequantized weights (computed here from the codes with the spec's v1 formula), the files have the
 * layout of spec §4.6–4.7, and the loader reports what it found.
 */
class GptqCheckpointTest {
    static final Path TINY = TestData.path("golden/tiny-tied");

    /** Every linear of every layer: prefix → {rows, cols}. */
    static Map<String, int[]> linears(ModelConfig c) {
        Map<String, int[]> out = new LinkedHashMap<>();
        int h = c.hiddenSize(), q = c.qDim(), kv = c.kvDim(), ff = c.intermediateSize();
        for (int l = 0; l < c.numLayers(); l++) {
            String p = ModelWeights.layerPrefix(l);
            out.put(p + "self_attn.q_proj", new int[]{q, h});
            out.put(p + "self_attn.k_proj", new int[]{kv, h});
            out.put(p + "self_attn.v_proj", new int[]{kv, h});
            out.put(p + "self_attn.o_proj", new int[]{h, q});
            out.put(p + "mlp.gate_proj", new int[]{ff, h});
            out.put(p + "mlp.up_proj", new int[]{ff, h});
            out.put(p + "mlp.down_proj", new int[]{h, ff});
        }
        return out;
    }

    /** GPTQ of every linear against a random Hessian (the layout is what is tested here, not calibration). */
    static Map<String, Gptq.Result> quantizeAll(Checkpoint ckpt, GptqOptions o) throws IOException {
        Map<String, Gptq.Result> results = new LinkedHashMap<>();
        Random random = new Random(5);
        for (Map.Entry<String, int[]> e : linears(ckpt.config()).entrySet()) {
            int rows = e.getValue()[0], cols = e.getValue()[1], tokens = cols + 40;
            float[] x = new float[tokens * cols];
            for (int i = 0; i < x.length; i++) x[i] = (float) (random.nextGaussian() * (1 + i % cols % 5));
            HessianAccumulator acc = new HessianAccumulator(cols);
            acc.add(x, tokens);
            Matrix w = ckpt.matrix(e.getKey() + ".weight", rows, cols);
            results.put(e.getKey(), Gptq.quantize(w, acc.hessian(), o, false));
        }
        return results;
    }

    static Path writeGptq(Path out, GptqOptions o) throws IOException {
        try (Checkpoint ckpt = Checkpoint.open(TINY);
             GptqCheckpointWriter writer = new GptqCheckpointWriter(ckpt, out, o, linears(ckpt.config()))) {
            quantizeAll(ckpt, o).forEach(writer::store);
            writer.write("test", 1, 16);
        }
        return out;
    }

    /** The same model with each quantized linear replaced by its dequantized F32 weight, from the stored tensors. */
    static Path writeDequantized(Path gptqDir, Path out) throws IOException {
        Files.createDirectories(out);
        try (SafetensorsFile f = SafetensorsFile.open(gptqDir.resolve("model.safetensors"))) {
            JsonNode q = new ObjectMapper().readTree(gptqDir.resolve("config.json").toFile()).get("quantization_config");
            int bits = q.get("bits").asInt(), groupSize = q.get("group_size").asInt();
            SafetensorsWriter w = new SafetensorsWriter();
            for (TensorInfo t : f.tensors().values()) {
                String name = t.name();
                if (name.endsWith(".qzeros") || name.endsWith(".scales") || name.endsWith(".g_idx")) continue;
                if (!name.endsWith(".qweight")) {
                    w.add(name, t.dtype(), t.shape(), f.data(name));
                    continue;
                }
                String p = name.substring(0, name.length() - ".qweight".length());
                w.addF32(p + ".weight", new long[]{t.shape()[1], t.shape()[0] * (32 / bits)}, dequantize(f, p, bits, groupSize));
            }
            w.write(out.resolve("model.safetensors"));
        }
        Files.copy(TINY.resolve("config.json"), out.resolve("config.json"));
        return out;
    }

    /** The weight {@code [N, K]} of a v1 GPTQ linear, from its stored tensors by the spec's formula (§4.6). */
    static float[] dequantize(SafetensorsFile f, String prefix, int bits, int groupSize) throws IOException {
        int pf = 32 / bits, mask = (1 << bits) - 1;
        TensorInfo t = f.info(prefix + ".qweight");
        long[] qweight = f.readLongs(prefix + ".qweight"), qzeros = f.readLongs(prefix + ".qzeros");
        float[] scales = f.readFloats(prefix + ".scales");
        int k = (int) t.shape()[0] * pf, n = (int) t.shape()[1];
        long[] gIdx = f.contains(prefix + ".g_idx") ? f.readLongs(prefix + ".g_idx") : null;
        float[] dense = new float[n * k];
        for (int i = 0; i < k; i++) {
            int g = gIdx != null ? (int) gIdx[i] : groupSize < 0 ? 0 : i / groupSize;
            for (int o = 0; o < n; o++) {
                long code = (qweight[(i / pf) * n + o] >>> (bits * (i % pf))) & mask;
                long zero = ((qzeros[g * (n / pf) + o / pf] >>> (bits * (o % pf))) & mask) + 1;   // v1: stored + 1
                dense[o * k + i] = scales[g * n + o] * (code - zero);
            }
        }
        return dense;
    }

    static float[] logits(Path dir, int[] ids) throws IOException {
        try (HunyuanModel m = HunyuanModel.load(dir)) {
            return m.forward(ids, new ForwardOptions(true, false)).logits();
        }
    }

    @Test
    void writtenCheckpointRunsAsItsDequantizedWeights(@TempDir Path tmp) throws IOException {
        for (GptqOptions o : List.of(GptqOptions.DEFAULT, GptqOptions.DEFAULT.withGroupSize(32).withActOrder(true),
                GptqOptions.DEFAULT.withGroupSize(-1).withSym(false))) {
            Path gptq = writeGptq(tmp.resolve("gptq-" + o.hashCode()), o);
            Path dense = writeDequantized(gptq, tmp.resolve("dense-" + o.hashCode()));
            int[] ids = {1, 17, 300, 42, 9, 511, 77, 3};
            double err = TestData.relL2(logits(gptq, ids), logits(dense, ids));
            assertTrue(err < 1e-5, o + ": rel L2 " + err);
        }
    }

    @Test
    void layoutAndConfigsAreWhatTheGptqLoadersRead(@TempDir Path tmp) throws IOException {
        Path dir = writeGptq(tmp.resolve("gptq"), GptqOptions.DEFAULT);
        try (SafetensorsFile f = SafetensorsFile.open(dir.resolve("model.safetensors"))) {
            String p = "model.layers.1.mlp.down_proj";
            assertArrayEquals(new long[]{160 / 8, 64}, f.info(p + ".qweight").shape());
            assertEquals(DType.I32, f.info(p + ".qweight").dtype());
            // K = 160 with group 128: ceil → 2 groups.
            assertArrayEquals(new long[]{2, 64 / 8}, f.info(p + ".qzeros").shape());
            assertArrayEquals(new long[]{2, 64}, f.info(p + ".scales").shape());
            assertEquals(DType.F16, f.info(p + ".scales").dtype());
            for (long word : f.readLongs(p + ".qzeros")) assertEquals(0x77777777L, word);
            assertFalse(f.contains(p + ".g_idx"), "no act-order: no g_idx (as Tencent's release)");
            assertFalse(f.contains(p + ".weight"));
            assertTrue(f.contains("model.embed_tokens.weight") && f.contains("model.layers.0.input_layernorm.weight"));
            assertEquals("4", f.metadata().get("gptq_bits"));
        }
        JsonNode q = new ObjectMapper().readTree(dir.resolve("config.json").toFile()).get("quantization_config");
        assertEquals("gptq", q.get("quant_method").asText());
        assertEquals("gptq", q.get("checkpoint_format").asText());
        assertEquals(4, q.get("bits").asInt());
        assertEquals(128, q.get("group_size").asInt());
        assertTrue(q.get("sym").asBoolean());
        assertFalse(q.get("desc_act").asBoolean());
        JsonNode qc = new ObjectMapper().readTree(dir.resolve("quantize_config.json").toFile());
        assertEquals(List.of("bits", "group_size", "damp_percent", "desc_act", "static_groups", "sym", "true_sequential",
                "model_name_or_path", "model_file_base_name", "quant_method", "checkpoint_format"), iterate(qc));
        assertTrue(Files.isRegularFile(dir.resolve("generation_config.json")));
        // Reading back: the config readers' order (quantize_config.json first) and what loading found.
        GptqConfig c = GptqConfig.find(dir);
        assertEquals(4, c.bits());
        try (Checkpoint ckpt = Checkpoint.open(dir)) {
            ModelWeights w = ModelWeights.load(ckpt);
            assertInstanceOf(GptqMatrix.class, w.layers()[0].q());
            GptqLinears linears = new GptqLinears(ckpt, c);
            linears.matrix("model.layers.0.self_attn.q_proj", 64, 64);
            String found = String.join("\n", linears.findings());
            assertTrue(found.contains("no g_idx tensors: natural column order"), found);
            assertTrue(found.contains("qzeros words 0x77777777"), found);
            assertTrue(found.contains("lm_head not quantized"), found);
        }
    }

    @Test
    void actOrderWritesGIdxAndLoadsThePermutedKernel(@TempDir Path tmp) throws IOException {
        Path dir = writeGptq(tmp.resolve("gptq"), GptqOptions.DEFAULT.withGroupSize(32).withActOrder(true));
        try (Checkpoint ckpt = Checkpoint.open(dir)) {
            assertTrue(ckpt.has("model.layers.0.mlp.up_proj.g_idx"));
            GptqMatrix m = (GptqMatrix) ModelWeights.load(ckpt).layers()[0].up();
            assertFalse(m.naturalOrder());
        }
    }

    /**
     * Tencent's HY-MT1.5-1.8B-GPTQ-Int4 layout as AngelSlim's saver writes it (deployment notes §1): only
     * config.json's quantization_config, with exactly AngelSlim's keys (static_groups true, desc_act false), no
     * quantize_config.json, no g_idx, tied embeddings and no lm_head. It loads, and the loader says so.
     */
    @Test
    void tencentAngelSlimLayoutLoadsAndIsReported(@TempDir Path tmp) throws IOException {
        Path dir = writeGptq(tmp.resolve("gptq"), GptqOptions.DEFAULT);
        int[] ids = {1, 5, 77, 200, 3};
        float[] ours = logits(dir, ids);
        Files.delete(dir.resolve("quantize_config.json"));
        ObjectMapper json = new ObjectMapper();
        var config = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(dir.resolve("config.json").toFile());
        config.putObject("quantization_config").put("bits", 4).put("checkpoint_format", "gptq").put("desc_act", false)
                .put("group_size", 128).put("quant_method", "gptq").put("static_groups", true).put("sym", true).put("true_sequential", true);
        Files.writeString(dir.resolve("config.json"), json.writeValueAsString(config));
        assertArrayEquals(ours, logits(dir, ids));
        try (Checkpoint ckpt = Checkpoint.open(dir)) {
            GptqLinears linears = new GptqLinears(ckpt, GptqConfig.find(dir));
            for (var e : linears(ckpt.config()).entrySet()) linears.matrix(e.getKey(), e.getValue()[0], e.getValue()[1]);
            String found = String.join("\n", linears.findings());
            assertTrue(found.contains("config.json (quantization_config)"), found);
            assertTrue(found.contains("14 quantized linears; no g_idx tensors: natural column order"), found);
            assertTrue(found.contains("symmetric zeros (every zero point 8, qzeros words 0x77777777)"), found);
            assertTrue(found.contains("lm_head not quantized"), found);
        }
    }

    private static List<String> iterate(JsonNode node) {
        List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
