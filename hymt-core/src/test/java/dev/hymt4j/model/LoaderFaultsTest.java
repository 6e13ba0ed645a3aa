package dev.hymt4j.model;

import dev.hymt4j.safetensors.DType;
import dev.hymt4j.safetensors.SafetensorsFile;
import dev.hymt4j.safetensors.SafetensorsWriter;
import dev.hymt4j.testing.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every way a model directory can be broken fails on load with a message naming the file and the fault. */
class LoaderFaultsTest {
    static final Path GOLDEN = TestData.path("golden/tiny-tied");

    @TempDir
    Path dir;

    static String load(Path dir) {
        IOException e = assertThrows(IOException.class, () -> {
            try (Checkpoint c = Checkpoint.open(dir)) {
                ModelWeights.load(c);
            }
        });
        return e.getMessage();
    }

    Path withConfig() throws IOException {
        Files.copy(GOLDEN.resolve("config.json"), dir.resolve("config.json"));
        return dir.resolve(Checkpoint.SINGLE_FILE);
    }

    /** A safetensors file with the given length field, header text and data size. */
    static void raw(Path file, long lengthField, String header, int dataBytes) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(lengthField).put(h);
        Files.write(file, b.array());
    }

    static void raw(Path file, String header, int dataBytes) throws IOException {
        raw(file, header.getBytes(StandardCharsets.UTF_8).length, header, dataBytes);
    }

    /** The golden weights re-written with {@code edit} given the chance to replace any tensor (return true if it did). */
    void goldenWith(EditTensor edit) throws IOException {
        Path target = withConfig();
        SafetensorsWriter w = new SafetensorsWriter();
        try (SafetensorsFile f = SafetensorsFile.open(GOLDEN.resolve(Checkpoint.SINGLE_FILE))) {
            for (var t : f.tensors().values()) {
                if (!edit.replace(t.name(), w)) w.add(t.name(), t.dtype(), t.shape(), f.data(t.name()));
            }
            w.write(target);
        }
    }

    interface EditTensor {
        boolean replace(String name, SafetensorsWriter w);
    }

    @Test
    void missingConfig() throws IOException {
        Files.copy(GOLDEN.resolve("model.safetensors"), dir.resolve("model.safetensors"));
        assertEquals(dir.resolve("config.json") + ": missing file (every model directory needs config.json)", load(dir));
    }

    @Test
    void missingModelFile() throws IOException {
        withConfig();
        assertEquals(dir + ": missing file: neither model.safetensors nor model.safetensors.index.json is present", load(dir));
    }

    @Test
    void missingDirectory() {
        assertEquals(dir.resolve("nope") + ": model directory not found", load(dir.resolve("nope")));
    }

    @Test
    void truncatedFile() throws IOException {
        Path file = withConfig();
        byte[] all = Files.readAllBytes(GOLDEN.resolve("model.safetensors"));
        Files.write(file, java.util.Arrays.copyOf(all, all.length - 1000));
        String m = load(dir);
        // Whichever tensor comes first in the header among those now running past the end is named.
        long dataBlock = all.length - 1000 - 8 - headerLength(all);
        assertTrue(m.matches(Pattern.quote(file.toString()) + ": tensor '[^']+': truncated or offsets out of range:"
                + " data_offsets end at byte \\d+ but the data block holds " + dataBlock + " bytes"), m);
    }

    static long headerLength(byte[] file) {
        return ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    @Test
    void fileShorterThanTheLengthField() throws IOException {
        Path file = withConfig();
        Files.write(file, new byte[5]);
        assertEquals(file + ": truncated: 5 bytes, less than the 8-byte header length", load(dir));
    }

    @Test
    void headerLongerThanTheFile() throws IOException {
        Path file = withConfig();
        raw(file, 500, "{}", 0);
        assertEquals(file + ": truncated: header length says 500 bytes but only 2 follow", load(dir));
    }

    @Test
    void lengthFieldTooBig() throws IOException {
        Path file = withConfig();
        raw(file, 1L << 40, "{}", 0);
        assertEquals(file + ": corrupt header: header length field is 1099511627776 (expected 2..104857600)", load(dir));
    }

    @Test
    void headerIsNotJson() throws IOException {
        Path file = withConfig();
        raw(file, "{\"a\": [", 0);
        String m = load(dir);
        assertTrue(m.startsWith(file + ": corrupt header: not valid JSON ("), m);
    }

    @Test
    void offsetsOutOfRange() throws IOException {
        Path file = withConfig();
        raw(file, "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 8);
        assertEquals(file + ": tensor 'a': truncated or offsets out of range: data_offsets end at byte 16 but the data"
                + " block holds 8 bytes", load(dir));
    }

    @Test
    void overlappingTensors() throws IOException {
        Path file = withConfig();
        raw(file, "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[8,24]}}", 24);
        assertEquals(file + ": corrupt header: tensors 'a' [0, 16) and 'b' [8, 24) overlap", load(dir));
    }

    @Test
    void unknownDtypeInTheHeader() throws IOException {
        Path file = withConfig();
        raw(file, "{\"a\":{\"dtype\":\"F8_E4M3\",\"shape\":[4],\"data_offsets\":[0,4]}}", 4);
        assertEquals(file + ": tensor 'a': unsupported dtype \"F8_E4M3\"", load(dir));
    }

    @Test
    void missingTensor() throws IOException {
        goldenWith((name, w) -> name.equals("model.norm.weight"));
        assertEquals(dir + ": missing tensor 'model.norm.weight' (looked in [model.safetensors])", load(dir));
    }

    @Test
    void wrongShape() throws IOException {
        goldenWith((name, w) -> {
            if (!name.equals("model.layers.1.self_attn.k_proj.weight")) return false;
            w.addF32(name, new long[]{64, 32}, new float[64 * 32]);
            return true;
        });
        assertEquals(dir.resolve("model.safetensors") + ": tensor 'model.layers.1.self_attn.k_proj.weight' has shape [64, 32]"
                + " but config.json implies [32, 64]", load(dir));
    }

    @Test
    void unsupportedWeightDtype() throws IOException {
        goldenWith((name, w) -> {
            if (!name.equals("model.norm.weight")) return false;
            w.add(name, DType.I32, new long[]{64}, new byte[64 * 4]);
            return true;
        });
        assertEquals(dir.resolve("model.safetensors") + ": tensor 'model.norm.weight' has dtype I32 (expected F32, BF16 or F16)",
                load(dir));
    }

    @Test
    void unsupportedModelType() throws IOException {
        Path config = dir.resolve("config.json");
        Files.writeString(config, Files.readString(GOLDEN.resolve("config.json")).replace("\"hunyuan_v1_dense\"", "\"llama\""));
        Files.copy(GOLDEN.resolve("model.safetensors"), dir.resolve("model.safetensors"));
        assertEquals(config + ": unsupported model_type \"llama\" (expected \"hunyuan_v1_dense\", the HunYuan dense"
                + " architecture of HY-MT1.5)", load(dir));
    }

    @Test
    void indexNamesAMissingShard() throws IOException {
        withConfig();
        Files.copy(GOLDEN.resolve("model.safetensors"), dir.resolve("model-00001-of-00002.safetensors"));
        Files.writeString(dir.resolve(Checkpoint.INDEX_FILE), "{\"weight_map\": {"
                + "\"model.embed_tokens.weight\": \"model-00001-of-00002.safetensors\","
                + "\"model.norm.weight\": \"model-00002-of-00002.safetensors\"}}");
        assertEquals(dir.resolve(Checkpoint.INDEX_FILE) + ": weight_map names shard model-00002-of-00002.safetensors which"
                + " does not exist", load(dir));
    }

    @Test
    void indexPutsATensorInTheWrongShard() throws IOException {
        withConfig();
        Files.copy(GOLDEN.resolve("model.safetensors"), dir.resolve("model-00001-of-00001.safetensors"));
        Files.writeString(dir.resolve(Checkpoint.INDEX_FILE),
                "{\"weight_map\": {\"lm_head.weight\": \"model-00001-of-00001.safetensors\"}}");
        assertEquals(dir.resolve(Checkpoint.INDEX_FILE) + ": weight_map puts tensor 'lm_head.weight' in"
                + " model-00001-of-00001.safetensors but that file does not hold it", load(dir));
    }
}
