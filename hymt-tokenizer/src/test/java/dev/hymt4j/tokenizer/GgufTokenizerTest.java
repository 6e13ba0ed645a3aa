package dev.hymt4j.tokenizer;

import dev.hymt4j.gguf.GgufFile;
import dev.hymt4j.gguf.GgufMetadata;
import dev.hymt4j.gguf.GgufValue;
import dev.hymt4j.gguf.GgufWriter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A tokenizer written into GGUF metadata the way llama.cpp's converter writes it, read back from the GGUF:
 * the same ids as the tokenizer.json it came from and as the Hugging Face tokenizers library, on a HY-style
 * vocabulary (HY special tokens, HY pre-tokenizer) and on DeepSeek-V3's real 128k vocabulary (same
 * pre-tokenizer set as HY-MT1.5).
 */
class GgufTokenizerTest {
    @TempDir static Path dir;
    static Path hyDir, hyGguf;
    /** Ids beyond the tokenizer's size, as in a model whose embedding is padded: written as [PADi], UNUSED. */
    static final int PADDING = 5;

    @BeforeAll
    static void write() throws IOException {
        hyDir = Files.createDirectories(dir.resolve("hy"));
        new BpeTrainer(2000).train(Corpus.allTexts()).writeTo(hyDir);
        int size = Tokenizer.load(hyDir).vocabSize() + PADDING;
        hyGguf = vocabularyFile(hyDir, size, "hy.gguf");
    }

    /** A GGUF holding only metadata: the architecture and the tokenizer of {@code modelDir}. */
    static Path vocabularyFile(Path modelDir, int vocabSize, String name) throws IOException {
        GgufMetadata m = new GgufMetadata(name);
        m.put("general.architecture", GgufValue.string("hunyuan-dense"));
        GgufVocabularyWriter.put(modelDir, vocabSize, m);
        Path file = dir.resolve(name);
        new GgufWriter().putAll(m).write(file);
        return file;
    }

    @Test
    void hyStyleVocabularyGivesTheSameIdsAsItsTokenizerJsonAndHuggingFace() throws IOException {
        Tokenizer fromJson = Tokenizer.load(hyDir), fromGguf = Tokenizer.load(hyGguf);
        List<String> texts = new ArrayList<>(Corpus.parallelTexts(150));
        assertTrue(texts.size() >= 2000, "only " + texts.size() + " texts");
        texts.addAll(Corpus.EDGE_CASES);
        try (Reference hf = new Reference(hyDir.resolve("tokenizer.json"))) {
            int[][] expected = hf.encodeAll(texts);
            Reference.assertSameIds(fromGguf, expected, texts);
            Reference.assertSameIds(fromJson, expected, texts);
            for (String text : Corpus.parallelTexts(10)) {
                int[] ids = fromGguf.encode(text);
                assertEquals(hf.decode(ids, false), fromGguf.decode(ids, false, false));
                assertEquals(hf.decode(ids, true), fromGguf.decode(ids, true, false));
            }
        }
        // the UNUSED [PADi] ids at the end carry no token, so the id table ends where the tokenizer.json's does
        assertEquals(fromJson.vocabSize(), fromGguf.vocabSize());
        for (int id : fromJson.specialTokenIds()) {
            assertTrue(fromGguf.isSpecial(id), "special " + fromJson.tokenString(id));
            assertEquals(fromJson.tokenString(id), fromGguf.tokenString(id));
        }
        assertEquals(fromJson.tokenId(HunyuanTokens.EOS), fromGguf.tokenId(HunyuanTokens.EOS));
    }

    @Test
    void metadataIsWhatLlamaCppsConverterWrites() throws IOException {
        Tokenizer fromJson = Tokenizer.load(hyDir);
        try (GgufFile f = GgufFile.open(hyGguf)) {
            GgufMetadata m = f.metadata();
            assertEquals("gpt2", m.string("tokenizer.ggml.model"));
            assertEquals("hunyuan-dense", m.string("tokenizer.ggml.pre"));
            String[] tokens = m.strings("tokenizer.ggml.tokens");
            int[] types = m.integers("tokenizer.ggml.token_type");
            assertEquals(fromJson.vocabSize() + PADDING, tokens.length);
            assertEquals(1, types[0], "ordinary tokens are NORMAL");
            assertEquals("!", tokens[0]);
            int bos = fromJson.tokenId(HunyuanTokens.BOS);
            assertEquals(HunyuanTokens.BOS, tokens[bos]);
            assertEquals(3, types[bos], "<｜…｜> tokens are CONTROL");
            assertEquals("[PAD" + (tokens.length - 1) + "]", tokens[tokens.length - 1]);
            assertEquals(5, types[tokens.length - 1], "ids without a token are UNUSED");
            assertEquals(1999 - 255, m.strings("tokenizer.ggml.merges").length);
            assertEquals(bos, m.integer("tokenizer.ggml.bos_token_id", 0));
            assertEquals(fromJson.tokenId(HunyuanTokens.EOS), m.integer("tokenizer.ggml.eos_token_id", 0));
            assertEquals(fromJson.tokenId(HunyuanTokens.PAD), m.integer("tokenizer.ggml.padding_token_id", 0));
        }
    }

    @Test
    void deepSeekV3RealVocabularyThroughGgufMatchesHuggingFace() throws IOException {
        Path ds = Files.createDirectories(dir.resolve("ds"));
        Path json = Corpus.unpack("deepseek-v3", ds);
        Tokenizer fromJson = Tokenizer.load(json);
        Path gguf = vocabularyFile(ds, fromJson.vocabSize(), "ds.gguf");
        Tokenizer fromGguf = Tokenizer.load(gguf);
        List<String> texts = new ArrayList<>(Corpus.parallelTexts(150));
        texts.addAll(Corpus.EDGE_CASES);
        try (Reference hf = new Reference(json)) {
            Reference.assertSameIds(fromGguf, hf.encodeAll(texts), texts);
        }
        try (GgufFile f = GgufFile.open(gguf)) {
            // tokenizer_config.json asks for a BOS: llama.cpp's add_bos_token, which encoding with special tokens honours
            assertTrue(f.metadata().bool("tokenizer.ggml.add_bos_token"));
            int bos = f.metadata().integer("tokenizer.ggml.bos_token_id", 0);
            assertEquals(bos, fromGguf.encode("hi", new EncodeOptions(true, true))[0]);
        }
    }

    /**
     * tokenizer.json written back from a GGUF's metadata (what an ONNX export from a GGUF ships): Hugging Face
     * tokenizers reading it gives the ids and the decoded text of the tokenizer.json the GGUF was made from, on
     * the HY-style vocabulary and on DeepSeek-V3's real one; tokenizer_config.json names the same special tokens.
     */
    @Test
    void tokenizerFilesWrittenFromAGgufEncodeAsTheFileItCameFrom() throws IOException {
        Path ds = Files.createDirectories(dir.resolve("ds-files"));
        Path dsJson = Corpus.unpack("deepseek-v3", ds);
        Path dsGguf = vocabularyFile(ds, Tokenizer.load(dsJson).vocabSize(), "ds-files.gguf");
        List<String> texts = new ArrayList<>(Corpus.parallelTexts(100));
        texts.addAll(Corpus.EDGE_CASES);
        for (Path[] pair : new Path[][]{{hyDir.resolve("tokenizer.json"), hyGguf}, {dsJson, dsGguf}}) {
            Path out = Files.createDirectories(dir.resolve(pair[1].getFileName() + "-files"));
            try (GgufFile f = GgufFile.open(pair[1])) {
                GgufTokenizerFiles.write(f.metadata(), pair[1], out);
            }
            try (Reference original = new Reference(pair[0]); Reference regenerated = new Reference(out.resolve("tokenizer.json"))) {
                int[][] expected = original.encodeAll(texts), got = regenerated.encodeAll(texts);
                for (int i = 0; i < texts.size(); i++) {
                    assertArrayEquals(expected[i], got[i], pair[1].getFileName() + ": ids of " + Reference.escape(texts.get(i)));
                    assertEquals(original.decode(expected[i], false), regenerated.decode(expected[i], false));
                }
                Reference.assertSameIds(Tokenizer.load(out), expected, texts);
            }
            com.fasterxml.jackson.databind.JsonNode before = TokenizerJsonLoader.readJson(pair[0].resolveSibling("tokenizer_config.json"));
            com.fasterxml.jackson.databind.JsonNode after = TokenizerJsonLoader.readJson(out.resolve("tokenizer_config.json"));
            for (String kind : List.of("bos_token", "eos_token")) {
                com.fasterxml.jackson.databind.JsonNode t = before.path(kind);
                String expected = t.isTextual() ? t.asText() : t.path("content").asText();
                assertTrue(!expected.isEmpty(), pair[0] + " names no " + kind);
                assertEquals(expected, after.path(kind).asText(), pair[1].getFileName() + " " + kind);
            }
        }
    }

    String fault(Consumer<GgufMetadata> edit) throws IOException {
        GgufMetadata m;
        try (GgufFile f = GgufFile.open(hyGguf)) {
            m = new GgufMetadata("x", f.metadata().asMap());
        }
        edit.accept(m);
        Path file = dir.resolve("broken.gguf");
        new GgufWriter().putAll(m).write(file);
        TokenizerLoadException e = assertThrows(TokenizerLoadException.class, () -> Tokenizer.load(file));
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        return e.getMessage();
    }

    static void mentions(String message, String... parts) {
        for (String p : parts) assertTrue(message.contains(p), "\"" + message + "\" should mention \"" + p + "\"");
    }

    @Test
    void missingOrUnsupportedTokenizerKeysAreClearErrors() throws IOException {
        mentions(fault(m -> m.remove("tokenizer.ggml.model")), "missing metadata key 'tokenizer.ggml.model'", "no tokenizer");
        mentions(fault(m -> m.put("tokenizer.ggml.model", GgufValue.string("llama"))), "'llama'", "gpt2");
        mentions(fault(m -> m.remove("tokenizer.ggml.pre")), "missing metadata key 'tokenizer.ggml.pre'");
        mentions(fault(m -> m.put("tokenizer.ggml.pre", GgufValue.string("qwen2"))), "'qwen2'", "hunyuan-dense");
        mentions(fault(m -> m.remove("tokenizer.ggml.tokens")), "missing metadata key 'tokenizer.ggml.tokens'");
        mentions(fault(m -> m.remove("tokenizer.ggml.merges")), "missing metadata key 'tokenizer.ggml.merges'");
        mentions(fault(m -> m.put("tokenizer.ggml.merges", GgufValue.strings(List.of("Ġ zzzzzz")))), "merges[0]", "not in tokenizer.ggml.tokens");
        mentions(fault(m -> m.put("tokenizer.ggml.token_type", GgufValue.i32s(new int[] {1, 1}))), "token_type has 2 entries");
        mentions(fault(m -> m.put("tokenizer.ggml.tokens", GgufValue.u32(3))), "tokenizer.ggml.tokens", "ARRAY of STRING");
    }

    @Test
    void aTokenizerThatLlamaCppWouldSplitDifferentlyIsNotWritten() throws IOException {
        Path qwen = Files.createDirectories(dir.resolve("qwen"));
        Path json = Corpus.unpack("qwen3", qwen);
        TokenizerLoadException e = assertThrows(TokenizerLoadException.class,
                () -> GgufVocabularyWriter.put(qwen, Tokenizer.load(json).vocabSize(), new GgufMetadata("q")));
        mentions(e.getMessage(), "tokenizer.json", "pre_tokenizer is not HY-MT's");
    }
}
