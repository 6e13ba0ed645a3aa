package dev.hymt4j.gguf;

import dev.hymt4j.model.ForwardOptions;
import dev.hymt4j.model.HunyuanModel;
import dev.hymt4j.model.ModelWeights;
import dev.hymt4j.quant.BlockCodec;
import dev.hymt4j.quant.GgufFileType;
import dev.hymt4j.safetensors.SafetensorsFile;
import dev.hymt4j.testing.TestData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Our quantizer and engine against files made by llama.cpp's own llama-quantize (testdata/gguf, README.md
 * there for provenance): byte-identical blocks on the edge-case rows for every block type, byte-identical
 * whole files for every file type on the tiny model, and logits of llama.cpp's files equal to a float64
 * transformers reference on the dequantized weights.
 */
class LlamaCppFixturesTest {
    static final Path DIR = TestData.path("gguf");
    static final Map<String, String> SHA256 = new HashMap<>();

    @TempDir
    static Path tmp;
    static Path tinyF32;

    @BeforeAll
    static void inputs() throws Exception {
        for (String line : Files.readAllLines(DIR.resolve("SHA256SUMS"))) {
            String[] parts = line.trim().split("\\s+");
            SHA256.put(parts[1], parts[0]);
        }
        tinyF32 = tmp.resolve("tiny-f32.gguf");
        FixtureInputs.tinyModel(tinyF32);
        assertEquals(SHA256.get("tiny-f32.gguf"), sha256(tinyF32),
                "the tiny F32 model no longer matches the one the fixtures were quantized from: the demo model's weights"
                        + " or our F32 writer changed; regenerate with testdata/gguf/make-fixtures.sh");
    }

    static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0", "Q4_K", "Q5_K", "Q6_K"})
    void edgeCaseRowsQuantizeByteForByteAsLlamaQuantize(String typeName) throws IOException {
        GgmlType type = GgmlType.valueOf(typeName);
        String tensor = "blk.0.ffn_up.weight";
        try (GgufFile input = GgufFile.open(DIR.resolve("edge-f32.gguf"));
             GgufFile expected = GgufFile.open(DIR.resolve("edge-" + typeName + ".gguf"))) {
            GgufTensorInfo info = input.info(tensor);
            int cols = (int) info.ne()[0], rows = (int) info.ne()[1];
            float[] x = input.data(tensor).toArray(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN));
            int rowBytes = (int) type.rowBytes(cols);
            byte[] ours = new byte[rows * rowBytes];
            for (int r = 0; r < rows; r++) BlockCodec.of(type).quantize(x, r * cols, cols, ours, r * rowBytes);
            assertEquals(type, expected.info(tensor).type());
            byte[] theirs = expected.data(tensor).toArray(ValueLayout.JAVA_BYTE);
            for (int r = 0; r < rows; r++) {
                assertArrayEquals(java.util.Arrays.copyOfRange(theirs, r * rowBytes, (r + 1) * rowBytes),
                        java.util.Arrays.copyOfRange(ours, r * rowBytes, (r + 1) * rowBytes), typeName + " edge row " + r);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"Q8_0", "Q4_0", "Q4_K_M", "Q6_K", "Q5_K_M", "F16", "BF16"})
    void requantizingTheTinyModelGivesLlamaQuantizesFileByteForByte(String fileType) throws Exception {
        Path ours = tmp.resolve("ours-" + fileType + ".gguf");
        try (GgufCheckpoint c = GgufCheckpoint.open(tinyF32)) {
            GgufModelWriter.write(ModelWeights.load(c), GgufFileType.valueOf(fileType), c.file().metadata(), ours, GgufModelWriter.Progress.NONE);
        }
        Path theirs = DIR.resolve("tiny-" + fileType + ".gguf");
        if (Files.exists(theirs)) {
            assertEquals(-1, Files.mismatch(theirs, ours), fileType + ": first differing byte");
        } else {
            assertEquals(SHA256.get("tiny-" + fileType + ".gguf"), sha256(ours), fileType + " differs from llama-quantize's file");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"Q8_0", "Q4_0", "Q4_K_M", "Q6_K"})
    void llamaCppFilesRunWithLogitsOfTheFloat64ReferenceOnTheirDequantizedWeights(String fileType) throws IOException {
        try (SafetensorsFile reference = SafetensorsFile.open(DIR.resolve("reference_logits.safetensors"));
             GgufCheckpoint c = GgufCheckpoint.open(DIR.resolve("tiny-" + fileType + ".gguf"))) {
            int[] ids = java.util.Arrays.stream(reference.readLongs("input_ids")).mapToInt(Math::toIntExact).toArray();
            float[] logits = new HunyuanModel(ModelWeights.load(c)).forward(ids, ForwardOptions.ALL_LOGITS).logits();
            float[] expected = reference.readFloats("tiny-" + fileType + ".logits");
            // Activations stay float32 (no int8 activation path), so the only error is float32 arithmetic.
            double error = TestData.relL2(logits, expected);
            assertTrue(error < 1e-4, fileType + " relative L2 " + error);
        }
    }

    @Test
    void readsTheHyperParametersLlamaCppWrote() throws IOException {
        try (GgufCheckpoint c = GgufCheckpoint.open(DIR.resolve("tiny-Q4_K_M.gguf"))) {
            var config = c.config();
            assertEquals(256, config.vocabSize());
            assertEquals(2, config.numLayers());
            assertEquals(64, config.headDim());
            assertTrue(config.tieWordEmbeddings());
            // The stored base is already 10000·1000^(64/62) (float32); it must be used as is, not scaled again.
            assertEquals((double) (float) (10000 * Math.pow(1000, 64.0 / 62)), config.effectiveRopeBase());
            assertEquals(GgmlType.Q6_K, c.file().info("token_embd.weight").type());
            assertEquals(GgmlType.Q5_0, c.file().info("blk.0.attn_output.weight").type(), "128-column rows fall back from Q4_K");
            assertEquals(GgmlType.Q6_K, c.file().info("blk.1.attn_v.weight").type());
            assertEquals(GgmlType.Q4_K, c.file().info("blk.0.attn_v.weight").type());
        }
    }
}
