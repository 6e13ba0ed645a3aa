package dev.hymt4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hymt4j.safetensors.DType;
import dev.hymt4j.safetensors.SafetensorsFile;
import dev.hymt4j.testing.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The LoRA commands end to end on the golden tiny model (testdata/golden/README.md). */
class LoraCommandsTest {
    static final Path BASE = TestData.path("golden/tiny-lora-base");
    static final Path INIT = TestData.path("golden/tiny-lora-adapter-init");
    static final Path REF = TestData.path("golden/tiny-lora-reference.safetensors");

    static int run(StringWriter err, String... args) {
        var cl = Hymt.newCommandLine();
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void loraGradsWritesLossAndPeftNamedGradients(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("grads.safetensors");
        assertEquals(0, run(new StringWriter(), "debug", "lora-grads", "--model", BASE.toString(), "--adapter", INIT.toString(),
                "--batch", REF.toString(), "--out", out.toString()));
        try (SafetensorsFile ours = SafetensorsFile.open(out); SafetensorsFile ref = SafetensorsFile.open(REF)) {
            assertEquals(ref.readFloats("loss0")[0], ours.readFloats("loss")[0], 1e-5);
            int n = 0;
            for (String name : ref.tensors().keySet()) {
                if (!name.startsWith("grad.")) continue;
                double err = TestData.relL2(ours.readFloats(name.substring(5)), ref.readFloats(name));
                assertTrue(err < 1e-5, name + ": " + err);
                n++;
            }
            assertEquals(28, n);
            assertEquals(29, ours.tensors().size());
        }
    }

    @Test
    void loraStepsReproducesTheGoldenTrainingRun(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("run");
        assertEquals(0, run(new StringWriter(), "debug", "lora-steps", "--model", BASE.toString(), "--adapter", INIT.toString(),
                "--batch", REF.toString(), "--steps", "4", "--lr", "1e-3", "--betas", "0.9,0.999", "--eps", "1e-8",
                "--weight-decay", "0.01", "--out", out.toString()));
        JsonNode losses = new ObjectMapper().readTree(out.resolve("losses.json").toFile());
        try (SafetensorsFile ref = SafetensorsFile.open(REF);
             SafetensorsFile trained = SafetensorsFile.open(out.resolve("adapter/adapter_model.safetensors"));
             SafetensorsFile golden = SafetensorsFile.open(TestData.path("golden/tiny-lora-adapter-trained/adapter_model.safetensors"))) {
            float[] expected = ref.readFloats("losses");
            assertEquals(4, losses.size());
            for (int i = 0; i < 4; i++) assertEquals(expected[i], losses.get(i).asDouble(), 1e-5);
            assertEquals(golden.tensors().keySet(), trained.tensors().keySet());
            for (String name : golden.tensors().keySet()) {
                assertTrue(TestData.relL2(trained.readFloats(name), golden.readFloats(name)) < 1e-5, name);
            }
        }
        assertTrue(Files.isRegularFile(out.resolve("adapter/adapter_config.json")));
    }

    @Test
    void mergeWritesAModelDirectoryInTheRequestedDtype(@TempDir Path tmp) throws Exception {
        Path trained = TestData.path("golden/tiny-lora-adapter-trained");
        Path f32 = tmp.resolve("f32"), bf16 = tmp.resolve("bf16");
        assertEquals(0, run(new StringWriter(), "merge", "--model", BASE.toString(), "--adapter", trained.toString(), "--out", f32.toString()));
        assertEquals(0, run(new StringWriter(), "merge", "--model", BASE.toString(), "--adapter", trained.toString(), "--out", bf16.toString(),
                "--dtype", "bf16"));
        try (SafetensorsFile golden = SafetensorsFile.open(TestData.path("golden/tiny-lora-merged/model.safetensors"));
             SafetensorsFile a = SafetensorsFile.open(f32.resolve("model.safetensors"));
             SafetensorsFile b = SafetensorsFile.open(bf16.resolve("model.safetensors"))) {
            for (String name : golden.tensors().keySet()) {
                assertTrue(TestData.relL2(a.readFloats(name), golden.readFloats(name)) < 1e-6, name);
                assertEquals(DType.BF16, b.info(name).dtype());
                assertTrue(TestData.relL2(b.readFloats(name), golden.readFloats(name)) < 5e-3, name);
            }
        }
        assertEquals(Files.readString(BASE.resolve("config.json")), Files.readString(f32.resolve("config.json")));
        String bf16Config = Files.readString(bf16.resolve("config.json"));
        assertTrue(bf16Config.contains("\"dtype\": \"bfloat16\""), bf16Config);
        assertTrue(Files.isRegularFile(bf16.resolve("generation_config.json")));
    }

    @Test
    void mergeReportsABadAdapterInOneLine(@TempDir Path tmp) throws Exception {
        StringWriter err = new StringWriter();
        Path adapter = Files.createDirectories(tmp.resolve("adapter"));
        assertEquals(1, run(err, "merge", "--model", BASE.toString(), "--adapter", adapter.toString(), "--out", tmp.resolve("o").toString()));
        assertEquals("hymt merge: " + adapter + ": missing file adapter_config.json", err.toString().strip());
    }
}
