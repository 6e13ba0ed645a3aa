package dev.hymt4j.lora;

import dev.hymt4j.model.ModelConfig;
import dev.hymt4j.testing.TestData;
import dev.hymt4j.testing.TinyModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Adapters that do not fit the model fail on load with a message naming the file and the fault. */
class AdapterErrorTest {
    static final Path INIT = TestData.path("golden/tiny-lora-adapter-init");
    static final ModelConfig MODEL = TinyModels.config(512, 64, 2, 4, 2, 16, 160, true, true);

    static Path copyOfInit(Path tmp) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("adapter"));
        for (String f : new String[]{LoraAdapter.CONFIG_FILE, LoraAdapter.WEIGHTS_FILE}) Files.copy(INIT.resolve(f), dir.resolve(f));
        return dir;
    }

    @Test
    void missingFiles(@TempDir Path tmp) throws Exception {
        Path dir = copyOfInit(tmp);
        Files.delete(dir.resolve(LoraAdapter.WEIGHTS_FILE));
        var e = assertThrows(AdapterException.class, () -> LoraAdapter.load(dir, MODEL));
        assertEquals(dir + ": missing file adapter_model.safetensors", e.getMessage());
        Files.delete(dir.resolve(LoraAdapter.CONFIG_FILE));
        e = assertThrows(AdapterException.class, () -> LoraAdapter.load(dir, MODEL));
        assertEquals(dir + ": missing file adapter_config.json", e.getMessage());
        e = assertThrows(AdapterException.class, () -> LoraAdapter.load(tmp.resolve("nope"), MODEL));
        assertEquals(tmp.resolve("nope") + ": adapter directory not found", e.getMessage());
    }

    @Test
    void rankMismatchBetweenConfigAndTensors(@TempDir Path tmp) throws Exception {
        Path dir = copyOfInit(tmp);
        String cfg = Files.readString(dir.resolve(LoraAdapter.CONFIG_FILE)).replace("\"r\": 4", "\"r\": 8");
        Files.writeString(dir.resolve(LoraAdapter.CONFIG_FILE), cfg);
        var e = assertThrows(AdapterException.class, () -> LoraAdapter.load(dir, MODEL));
        assertEquals(dir.resolve(LoraAdapter.WEIGHTS_FILE) + ": tensor 'base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight'"
                + " has shape [4, 64] but the model and adapter_config.json need [8, 64] (r=8 × in_features=64)", e.getMessage());
    }

    @Test
    void adapterForAnotherModelShape() {
        ModelConfig wider = TinyModels.config(512, 96, 2, 4, 2, 16, 160, true, true);
        var e = assertThrows(AdapterException.class, () -> LoraAdapter.load(INIT, wider));
        assertTrue(e.getMessage().endsWith("has shape [4, 160] but the model and adapter_config.json need [4, 96] (r=4 × in_features=96)")
                || e.getMessage().contains("has shape [4, 64] but the model and adapter_config.json need [4, 96]"), e.getMessage());
        ModelConfig deeper = TinyModels.config(512, 64, 3, 4, 2, 16, 160, true, true);
        e = assertThrows(AdapterException.class, () -> LoraAdapter.load(INIT, deeper));
        assertTrue(e.getMessage().endsWith(": missing tensor 'base_model.model.model.layers.2.self_attn.q_proj.lora_A.weight'"
                + " (adapter_config.json targets this module)"), e.getMessage());
    }

    @Test
    void unknownTargetModules(@TempDir Path tmp) throws Exception {
        Path dir = copyOfInit(tmp);
        String cfg = Files.readString(dir.resolve(LoraAdapter.CONFIG_FILE)).replace("\"up_proj\"", "\"upp_proj\"")
                .replace("\"k_proj\"", "\"lm_head\"");
        Files.writeString(dir.resolve(LoraAdapter.CONFIG_FILE), cfg);
        var e = assertThrows(AdapterException.class, () -> LoraAdapter.load(dir, MODEL));
        assertEquals(dir.resolve(LoraAdapter.CONFIG_FILE) + ": target_modules: unknown modules [upp_proj, lm_head]: no linear layer of"
                + " hunyuan_v1_dense matches (supported: q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj)", e.getMessage());
        var e2 = assertThrows(IllegalArgumentException.class, () -> LoraAdapter.create(MODEL, LoraConfig.of(4, 8, 0, "qproj"), 1));
        assertEquals("LoRA config: target_modules: unknown module [qproj]: no linear layer of hunyuan_v1_dense matches"
                + " (supported: q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj)", e2.getMessage());
    }

    @Test
    void unexpectedTensorsAndUnsupportedFeatures(@TempDir Path tmp) throws Exception {
        Path dir = copyOfInit(tmp);
        Files.writeString(dir.resolve(LoraAdapter.CONFIG_FILE), Files.readString(dir.resolve(LoraAdapter.CONFIG_FILE))
                .replace("\"k_proj\",", ""));
        var e = assertThrows(AdapterException.class, () -> LoraAdapter.load(dir, MODEL));
        assertTrue(e.getMessage().endsWith(": unexpected tensor 'base_model.model.model.layers.0.self_attn.k_proj.lora_A.weight'"
                + " (not a LoRA matrix of a module adapter_config.json targets)"), e.getMessage());
        Files.writeString(dir.resolve(LoraAdapter.CONFIG_FILE), Files.readString(INIT.resolve(LoraAdapter.CONFIG_FILE))
                .replace("\"use_dora\": false", "\"use_dora\": true"));
        e = assertThrows(AdapterException.class, () -> LoraAdapter.load(dir, MODEL));
        assertEquals(dir.resolve(LoraAdapter.CONFIG_FILE) + ": use_dora=true is not supported", e.getMessage());
        Files.writeString(dir.resolve(LoraAdapter.CONFIG_FILE), "{\"peft_type\": \"IA3\"}");
        e = assertThrows(AdapterException.class, () -> LoraAdapter.load(dir, MODEL));
        assertEquals(dir.resolve(LoraAdapter.CONFIG_FILE) + ": peft_type is \"IA3\" (expected \"LORA\")", e.getMessage());
    }

    @Test
    void targetMatchingFollowsPeft() {
        LoraConfig suffix = LoraConfig.of(4, 8, 0, "self_attn.q_proj", "mlp.down_proj");
        assertTrue(suffix.targets("model.layers.1.self_attn.q_proj", 1));
        assertTrue(!suffix.targets("model.layers.1.mlp.gate_proj", 1));
        LoraConfig layers = LoraConfig.of(4, 8, 0, "q_proj").withLayersToTransform(java.util.List.of(1));
        LoraAdapter a = LoraAdapter.create(MODEL, layers, 1);
        assertEquals(1, a.modules().size());
        assertEquals(1, a.modules().get(0).layer());
        assertEquals(2.0f, LoraConfig.of(4, 8, 0, "q_proj").scaling());
        assertEquals(4.0f, LoraConfig.of(4, 8, 0, "q_proj").withRslora(true).scaling());
    }

    @Test
    void savedAdapterIsReadableAndComplete(@TempDir Path tmp) throws Exception {
        LoraAdapter a = LoraAdapter.create(MODEL, LoraConfig.of(2, 4, 0.05, "q_proj", "down_proj").withRslora(true), 3);
        a.save(tmp);
        String json = Files.readString(tmp.resolve(LoraAdapter.CONFIG_FILE));
        assertTrue(json.contains("\"lora_dropout\": 0.05,\n") && json.contains("\"use_rslora\": true,\n")
                && json.contains("\"target_modules\": [\n    \"q_proj\",\n    \"down_proj\"\n  ],"), json);
        LoraAdapter back = LoraAdapter.load(tmp, MODEL);
        assertEquals(8, back.parameters().size());   // 2 layers × 2 projections × (A, B)
        assertEquals((float) (4 / Math.sqrt(2)), back.modules().get(0).scaling());
        // B starts at zero, A within ±1/√in.
        for (LoraModule m : a.modules()) {
            for (float v : m.b().value()) assertEquals(0f, v);
            for (float v : m.a().value()) assertTrue(Math.abs(v) <= 1 / Math.sqrt(m.inFeatures()));
        }
    }
}
