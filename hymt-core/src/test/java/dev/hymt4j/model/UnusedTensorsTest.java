package dev.hymt4j.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hymt4j.testing.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The load report of tensors a config does not use (the hook for issue 9's checks). */
class UnusedTensorsTest {
    @Test
    void theGoldenCheckpointUsesEveryTensor() throws Exception {
        try (Checkpoint c = Checkpoint.open(TestData.path("golden/tiny-tied"))) {
            assertTrue(ModelWeights.unusedTensors(c).isEmpty());
        }
    }

    /** num_hidden_layers 1 over a 2-layer checkpoint: layer 1's eleven tensors, in file order. */
    @Test
    void layersBeyondTheConfigAreReported(@TempDir Path dir) throws Exception {
        Path golden = TestData.path("golden/tiny-tied");
        ObjectMapper json = new ObjectMapper();
        ObjectNode config = (ObjectNode) json.readTree(golden.resolve("config.json").toFile());
        config.put("num_hidden_layers", 1);
        Files.writeString(dir.resolve("config.json"), json.writeValueAsString(config));
        Files.copy(golden.resolve(Checkpoint.SINGLE_FILE), dir.resolve(Checkpoint.SINGLE_FILE));
        try (Checkpoint c = Checkpoint.open(dir)) {
            List<String> unused = List.copyOf(ModelWeights.unusedTensors(c));
            assertEquals(11, unused.size(), unused.toString());
            assertTrue(unused.stream().allMatch(n -> n.startsWith("model.layers.1.")), unused.toString());
        }
    }
}
