package dev.hymt4j.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hymt4j.safetensors.DType;
import dev.hymt4j.safetensors.SafetensorsFile;
import dev.hymt4j.safetensors.SafetensorsWriter;
import dev.hymt4j.safetensors.TensorInfo;
import dev.hymt4j.testing.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The golden tiny-tied model re-written the way other checkpoints look — the transformers-4 config spelling
 * (rope_scaling + top-level rope_theta, as HY-MT1.5 ships), sharded with an index, BF16, an explicit untied
 * lm_head — still loads and computes the reference logits.
 */
class CheckpointVariantsTest {
    @TempDir
    Path dir;

    /** Writes the golden weights as {@code shards} files in {@code dtype}, optionally with a copy of the embedding as lm_head. */
    static void rewrite(Path dir, DType dtype, int shards, boolean untied) throws Exception {
        Path golden = TestData.path("golden/tiny-tied");
        ObjectMapper json = new ObjectMapper();
        ObjectNode config = (ObjectNode) json.readTree(golden.resolve("config.json").toFile());
        ObjectNode rope = (ObjectNode) config.remove("rope_parameters");
        config.put("rope_theta", rope.remove("rope_theta").asDouble());
        rope.remove("rope_type");
        config.set("rope_scaling", rope); // {"alpha": 1000.0, ..., "type": "dynamic"}
        config.put("tie_word_embeddings", !untied);
        Files.writeString(dir.resolve("config.json"), json.writeValueAsString(config));

        List<SafetensorsWriter> writers = new ArrayList<>();
        for (int i = 0; i < shards; i++) writers.add(new SafetensorsWriter());
        ObjectNode index = json.createObjectNode();
        ObjectNode weightMap = index.putObject("weight_map");
        try (SafetensorsFile f = SafetensorsFile.open(golden.resolve("model.safetensors"))) {
            List<String> names = new ArrayList<>(f.tensors().keySet());
            if (untied) names.add("lm_head.weight");
            for (int i = 0; i < names.size(); i++) {
                String name = names.get(i);
                TensorInfo t = f.info(name.equals("lm_head.weight") ? "model.embed_tokens.weight" : name);
                int shard = i * shards / names.size();
                writers.get(shard).addFloats(name, dtype, t.shape(), f.readFloats(t.name()));
                weightMap.put(name, shardName(shard, shards));
            }
        }
        for (int i = 0; i < shards; i++) writers.get(i).write(dir.resolve(shardName(i, shards)));
        if (shards > 1) Files.writeString(dir.resolve(Checkpoint.INDEX_FILE), json.writeValueAsString(index));
    }

    static String shardName(int i, int shards) {
        return shards == 1 ? Checkpoint.SINGLE_FILE : String.format("model-%05d-of-%05d.safetensors", i + 1, shards);
    }

    static double logitsError(Path dir) throws Exception {
        try (HunyuanModel model = HunyuanModel.load(dir);
             SafetensorsFile ref = SafetensorsFile.open(TestData.path("golden/tiny-tied/reference_outputs.safetensors"))) {
            int[] ids = Arrays.stream(ref.readLongs("input_ids")).mapToInt(Math::toIntExact).toArray();
            return TestData.relL2(model.forward(ids, ForwardOptions.ALL_LOGITS).logits(), ref.readFloats("logits"));
        }
    }

    @Test
    void transformers4SpellingShardedAndUntiedMatchesTheReference() throws Exception {
        rewrite(dir, DType.F32, 3, true);
        try (Checkpoint c = Checkpoint.open(dir)) {
            assertEquals("dynamic", c.config().ropeType());
            assertEquals(1000.0, c.config().ropeAlpha());
            assertEquals(3, c.files().size());
            ModelWeights w = ModelWeights.load(c);
            assertNotSame(w.embedding(), w.lmHead());
        }
        double e = logitsError(dir);
        assertTrue(e < 1e-5, "relative L2 error " + e);
    }

    @Test
    void bf16WeightsMatchWithinTheirRoundingError() throws Exception {
        rewrite(dir, DType.BF16, 2, true);
        // BF16 keeps 8 significant bits: each weight moves by up to 2^-9 ≈ 0.2 % (≈ 0.1 % on average). The
        // perturbations of ~11 tensors per layer add up through two layers and the tied head to a logits error
        // of a few 1e-3 (measured 4.9e-3); 2e-2 leaves headroom. The lower bound proves the weights really were
        // rounded, i.e. that the BF16 path ran.
        double e = logitsError(dir);
        System.out.printf("tiny-tied as BF16: logits relative L2 error %.3g%n", e);
        assertTrue(e > 1e-5 && e < 2e-2, "relative L2 error " + e);
    }
}
