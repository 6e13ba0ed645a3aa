package dev.hymt4j.model;

import dev.hymt4j.generate.GenerationConfig;
import dev.hymt4j.generate.Generator;
import dev.hymt4j.generate.TokenListener;
import dev.hymt4j.safetensors.SafetensorsFile;
import dev.hymt4j.safetensors.SafetensorsWriter;
import dev.hymt4j.generate.GenerationException;
import dev.hymt4j.testing.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 9: a config that disagrees with its weights (tensors it does not use), and non-finite weights, stop the
 * work with a message that says where, instead of running a smaller model or printing {@code !!!!!!!!}.
 */
class WeightsAgainstConfigTest {
    static final Path GOLDEN = TestData.path("golden/tiny-tied");

    @TempDir
    Path dir;

    /** The golden model with one float of {@code tensor} (at flat index {@code index}) set to {@code value}. */
    private void goldenWith(String tensor, int index, float value) throws IOException {
        Files.copy(GOLDEN.resolve("config.json"), dir.resolve("config.json"));
        SafetensorsWriter w = new SafetensorsWriter();
        try (SafetensorsFile f = SafetensorsFile.open(GOLDEN.resolve(Checkpoint.SINGLE_FILE))) {
            for (var t : f.tensors().values()) {
                if (t.name().equals(tensor)) {
                    float[] v = f.readFloats(tensor);
                    v[index] = value;
                    w.addFloats(t.name(), t.dtype(), t.shape(), v);
                } else {
                    w.add(t.name(), t.dtype(), t.shape(), f.data(t.name()));
                }
            }
            w.write(dir.resolve(Checkpoint.SINGLE_FILE));
        }
    }

    @Test
    void fewerLayersInTheConfigThanInTheCheckpointIsAnError() throws IOException {
        Files.copy(GOLDEN.resolve(Checkpoint.SINGLE_FILE), dir.resolve(Checkpoint.SINGLE_FILE));
        Files.writeString(dir.resolve("config.json"),
                Files.readString(GOLDEN.resolve("config.json")).replace("\"num_hidden_layers\": 2", "\"num_hidden_layers\": 1"));
        ModelException e = assertThrows(ModelException.class, () -> HunyuanModel.load(dir));
        // Layer 1 holds 11 tensors (4 projections, 3 MLP, 4 norms).
        assertTrue(e.getMessage().startsWith(dir + ": 11 tensors that config.json does not use (model.layers.1."), e.getMessage());
        assertTrue(e.getMessage().endsWith("the checkpoint has layers up to 1 but config.json says num_hidden_layers 1;"
                + " the config does not match these weights"), e.getMessage());
    }

    @Test
    void aNaNNormWeightIsFoundAtLoad() throws IOException {
        goldenWith("model.norm.weight", 7, Float.NaN);
        ModelException e = assertThrows(ModelException.class, () -> HunyuanModel.load(dir));
        assertEquals(dir + ": tensor 'model.norm.weight' holds NaN at index 7; the checkpoint"
                + " is damaged", e.getMessage());
    }

    @Test
    void aNaNMatrixWeightStopsGenerationAndIsNamed() throws IOException {
        // up_proj is [160, 64]: flat index 3·64 + 5 is row 3, column 5.
        goldenWith("model.layers.0.mlp.up_proj.weight", 3 * 64 + 5, Float.NaN);
        try (HunyuanModel model = HunyuanModel.load(dir)) {
            CompletionException e = assertThrows(CompletionException.class, () -> new Generator(model)
                    .generate(new int[]{1, 20, 300}, GenerationConfig.builder().greedy().maxNewTokens(4).build(), TokenListener.NONE));
            assertInstanceOf(GenerationException.class, e.getCause());
            assertEquals("request 1: token 1 after a prompt of 3 tokens: the model produced NaN logits (token id 0), so no"
                    + " token was chosen; model.layers.0.mlp.up_proj.weight holds NaN at row 3, column 5: the model's weights"
                    + " are damaged (re-download or re-convert them)", e.getCause().getMessage());
        }
    }
}
