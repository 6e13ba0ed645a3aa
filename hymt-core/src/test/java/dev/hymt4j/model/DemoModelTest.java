package dev.hymt4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hymt4j.safetensors.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DemoModelTest {
    static final DemoModel.Shape SHAPE = new DemoModel.Shape(300, 32, 2, 4, 2, 8, 48, true);

    @TempDir
    Path dir;

    @Test
    void writesALoadableModelInTheRealConfigSpelling() throws Exception {
        DemoModel.write(dir, SHAPE, DType.BF16, 42);
        JsonNode config = new ObjectMapper().readTree(dir.resolve("config.json").toFile());
        assertEquals("dynamic", config.path("rope_scaling").path("type").asText());
        assertEquals(1000.0, config.path("rope_scaling").path("alpha").asDouble());
        assertEquals(10000.0, config.path("rope_theta").asDouble());
        assertFalse(config.has("rope_parameters"));
        assertTrue(Files.isRegularFile(dir.resolve("generation_config.json")));
        try (HunyuanModel m = HunyuanModel.load(dir)) {
            assertEquals(10000 * Math.pow(1000, 8.0 / 6.0), m.config().effectiveRopeBase(), 1e-6);
            assertEquals("BF16", m.weights().embedding().format());
            float[] logits = m.forward(new int[]{1, 5, 7, 299}, ForwardOptions.ALL_LOGITS).logits();
            for (float l : logits) assertTrue(Float.isFinite(l));
        }
        long params = SHAPE.parameterCount();
        assertEquals(300 * 32 + 2 * (32 * 32 * 2 + 2 * 32 * 16 + 3 * 32 * 48 + 2 * 32 + 2 * 8) + 32, params);
    }

    @Test
    void theSeedDeterminesTheWeights(@TempDir Path other, @TempDir Path third) throws Exception {
        DemoModel.write(dir, SHAPE, DType.F32, 7);
        DemoModel.write(other, SHAPE, DType.F32, 7);
        DemoModel.write(third, SHAPE, DType.F32, 8);
        byte[] a = Files.readAllBytes(dir.resolve("model.safetensors"));
        assertArrayEquals(a, Files.readAllBytes(other.resolve("model.safetensors")));
        assertFalse(java.util.Arrays.equals(a, Files.readAllBytes(third.resolve("model.safetensors"))));
    }

    @Test
    void theHyMtShapeHasTheSpecParameterCount() {
        assertEquals(1_791_080_448L, DemoModel.Shape.HY_MT_1_8B.parameterCount());
    }
}
