package dev.hymt4j.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hymt4j.ops.Rope;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class RopeTest {
    static ModelConfig config(int headDim, String rope) throws Exception {
        String json = """
                {"model_type": "hunyuan_v1_dense", "vocab_size": 10, "hidden_size": %d, "num_hidden_layers": 1,
                 "num_attention_heads": 1, "num_key_value_heads": 1, "head_dim": %d, "intermediate_size": 8,
                 "rope_theta": 10000.0 %s}""".formatted(headDim, headDim, rope);
        return ModelConfig.parse("test", new ObjectMapper().readTree(json));
    }

    @Test
    void hyMtDynamicAlphaMatchesTheSpecReferenceValues() throws Exception {
        // HY-MT1.5-1.8B's transformers-4 spelling; spec §2.5 lists transformers' float32 inv_freq.
        float[] f = Rope.inverseFrequencies(config(128,
                ", \"rope_scaling\": {\"alpha\": 1000.0, \"factor\": 1.0, \"type\": \"dynamic\"}"));
        assertEquals(64, f.length);
        assertEquals(1.0f, f[0]);
        float[][] expected = {{1, 0.77603436f}, {2, 0.60222936f}, {3, 0.46735066f}, {62, 1.4880553e-07f}, {63, 1.1547820e-07f}};
        for (float[] e : expected) assertEquals(e[1], f[(int) e[0]], e[1] * 1e-6, "inv_freq[" + (int) e[0] + "]");
    }

    @Test
    void defaultAndLinearTypes() throws Exception {
        // head_dim 4: 1/10000^(0/4) = 1, 1/10000^(2/4) = 0.01; linear factor 2 halves both.
        assertArrayEquals(new float[]{1f, 0.01f}, Rope.inverseFrequencies(config(4, "")));
        assertArrayEquals(new float[]{0.5f, 0.005f}, Rope.inverseFrequencies(config(4,
                ", \"rope_scaling\": {\"type\": \"linear\", \"factor\": 2.0}")));
        // The dynamic type without alpha keeps the raw base below max_position_embeddings, as transformers does.
        assertArrayEquals(new float[]{1f, 0.01f}, Rope.inverseFrequencies(config(4,
                ", \"rope_scaling\": {\"type\": \"dynamic\", \"factor\": 2.0}")));
    }
}
