package dev.hymt4j.gguf;

import dev.hymt4j.model.ModelConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The model configuration from {@code hunyuan-dense.*} metadata, and the files that do not describe one. */
class HunyuanGgufConfigTest {
    @TempDir
    Path dir;

    /**
     * HY-MT1.5-1.8B's hyper-parameters as llama.cpp's converter stores them; {@code rope.freq_base} is the
     * converter's already alpha-scaled base: 10000 · 1000^(128/126) (spec hunyuan-model.md §7), an f32.
     */
    private Path file(Consumer<GgufWriter> edit) throws IOException {
        GgufWriter w = new GgufWriter();
        w.put(GgufFile.KEY_ARCHITECTURE, GgufValue.string(HunyuanGguf.ARCH));
        w.put(HunyuanGguf.BLOCK_COUNT, GgufValue.u32(32));
        w.put(HunyuanGguf.CONTEXT_LENGTH, GgufValue.u32(262144));
        w.put(HunyuanGguf.EMBEDDING_LENGTH, GgufValue.u32(2048));
        w.put(HunyuanGguf.FEED_FORWARD_LENGTH, GgufValue.u32(6144));
        w.put(HunyuanGguf.HEAD_COUNT, GgufValue.u32(16));
        w.put(HunyuanGguf.HEAD_COUNT_KV, GgufValue.u32(4));
        w.put(HunyuanGguf.KEY_LENGTH, GgufValue.u32(128));
        w.put(HunyuanGguf.VALUE_LENGTH, GgufValue.u32(128));
        w.put(HunyuanGguf.RMS_EPS, GgufValue.f32(1e-5f));
        w.put(HunyuanGguf.ROPE_FREQ_BASE, GgufValue.f32(11158839.0f));
        w.put("tokenizer.ggml.bos_token_id", GgufValue.u32(120000));
        w.put("tokenizer.ggml.eos_token_id", GgufValue.u32(120020));
        edit.accept(w);
        w.addTensor(HunyuanGguf.TOKEN_EMBEDDING, new long[] {2048, 3}, GgmlType.F32, MemorySegment.ofArray(new byte[2048 * 3 * 4]));
        Path file = dir.resolve("model.gguf");
        w.write(file);
        return file;
    }

    private ModelConfig config(Path file) throws IOException {
        try (GgufFile f = GgufFile.open(file)) {
            return HunyuanGguf.config(f);
        }
    }

    private String fault(Consumer<GgufWriter> edit) throws IOException {
        Path file = file(edit);
        GgufException e = assertThrows(GgufException.class, () -> config(file));
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        return e.getMessage();
    }

    @Test
    void storedFreqBaseIsUsedAsIsNotScaledByAlphaAgain() throws IOException {
        ModelConfig c = config(file(w -> {}));
        assertEquals(11158839.0f, (float) c.effectiveRopeBase());
        assertEquals(32, c.numLayers());
        assertEquals(16, c.numHeads());
        assertEquals(4, c.numKvHeads());
        assertEquals(128, c.headDim());
        assertEquals(6144, c.intermediateSize());
        assertEquals(3, c.vocabSize());
        assertEquals(262144, c.maxPositionEmbeddings());
        assertTrue(c.tieWordEmbeddings(), "no output.weight: the head is the embedding");
    }

    @Test
    void wrongArchitectureIsAClearError() throws IOException {
        String m = fault(w -> w.put(GgufFile.KEY_ARCHITECTURE, GgufValue.string("llama")));
        assertTrue(m.contains("architecture 'llama' is not supported") && m.contains("'hunyuan-dense'"), m);
    }

    @Test
    void missingHyperParameterNamesTheKey() throws IOException {
        String m = fault(w -> w.remove(HunyuanGguf.BLOCK_COUNT));
        assertTrue(m.contains(HunyuanGguf.BLOCK_COUNT), m);
    }

    @Test
    void inconsistentHyperParametersAreRefused() throws IOException {
        String m = fault(w -> w.put(HunyuanGguf.HEAD_COUNT_KV, GgufValue.u32(3)));
        assertTrue(m.contains("not a multiple of " + HunyuanGguf.HEAD_COUNT_KV), m);
        m = fault(w -> w.put(HunyuanGguf.EMBEDDING_LENGTH, GgufValue.u32(256)));
        assertTrue(m.contains("'" + HunyuanGguf.TOKEN_EMBEDDING + "' has shape"), m);
    }
}
