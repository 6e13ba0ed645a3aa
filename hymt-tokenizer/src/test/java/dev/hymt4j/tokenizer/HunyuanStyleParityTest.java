package dev.hymt4j.tokenizer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A HY-style tokenizer.json (spec §4: no normalizer, three Isolated Split stages, ByteLevel without regex, HY
 * special tokens after the vocabulary) trained by {@link BpeTrainer} on testdata, loaded by both our tokenizer
 * and the Hugging Face tokenizers library.
 */
class HunyuanStyleParityTest {
    static final int VOCAB = 6000;
    @TempDir static Path dir;
    static BpeTrainer.Result trained;
    static Tokenizer ours;
    static Reference hf;

    @BeforeAll
    static void train() throws IOException {
        List<String> corpus = Corpus.allTexts();
        long start = System.nanoTime();
        trained = new BpeTrainer(VOCAB).train(corpus);
        System.out.printf("BpeTrainer: %d texts, %d merges in %.1f s%n", corpus.size(), trained.merges().size(), (System.nanoTime() - start) / 1e9);
        trained.writeTo(dir);
        ours = Tokenizer.load(dir);
        hf = new Reference(dir.resolve("tokenizer.json"));
    }

    @AfterAll
    static void close() {
        hf.close();
    }

    @Test
    void trainerFillsTheVocabularyAndPlacesSpecialsAfterIt() {
        assertEquals(VOCAB, trained.vocab().size());
        assertEquals(VOCAB - 256, trained.merges().size());
        assertEquals(VOCAB + HunyuanTokens.SPECIAL_TOKENS.size(), ours.vocabSize());
        assertEquals("!", ours.tokenString(0)); // GPT-2 byte order, as in HY where id 0 is "!"
        assertEquals(VOCAB, ours.tokenId(HunyuanTokens.BOS));
        assertEquals(VOCAB + 6, ours.tokenId(HunyuanTokens.USER));
        assertEquals(VOCAB + 7, ours.tokenId(HunyuanTokens.ASSISTANT));
        assertEquals(VOCAB + 20, ours.tokenId(HunyuanTokens.EOS));
        assertEquals(VOCAB + 26, ours.tokenId(HunyuanTokens.END_OF_DOCUMENT));
        assertEquals(VOCAB + 29, ours.tokenId("<think>"));
        assertTrue(ours.cleansUpSpacesByDefault()); // the written tokenizer_config.json enables it, like HY's
    }

    @Test
    void sameIdsAsHuggingFaceOnRealTextInEightLanguages() {
        List<String> texts = Corpus.parallelTexts(150);
        assertTrue(texts.size() >= 2000);
        long tokens = Reference.assertSameIds(ours, hf.encodeAll(texts), texts);
        System.out.printf("HY-style parity: %d texts, %d tokens identical (%.2f chars/token)%n", texts.size(), tokens,
                texts.stream().mapToInt(String::length).sum() / (double) tokens);
    }

    @Test
    void sameIdsOnTheWholeTrainingCorpusAndThroughput() throws IOException {
        List<String> texts = Corpus.allTexts();
        Tokenizer cold = Tokenizer.load(dir); // fresh piece cache
        long start = System.nanoTime();
        long tokens = 0;
        for (String text : texts) tokens += cold.encode(text).length;
        long ourNanos = System.nanoTime() - start;
        start = System.nanoTime();
        int[][] expected = hf.encodeAll(texts);
        long hfNanos = System.nanoTime() - start;
        Reference.assertSameIds(cold, expected, texts);
        System.out.printf("HY-style full corpus: %d texts, %d tokens identical; ours %.0f tokens/s (cold cache, 1 thread), DJL batchEncode %.0f tokens/s%n",
                texts.size(), tokens, tokens / (ourNanos / 1e9), tokens / (hfNanos / 1e9));
    }

    @Test
    void sameIdsOnEdgeCases() {
        List<String> texts = new ArrayList<>(Corpus.EDGE_CASES);
        texts.addAll(List.of(
                // The four prompts of spec §4.5 (their real HY ids need the real vocabulary; here: same as HF).
                HunyuanTokens.BOS + HunyuanTokens.USER + "Translate the following text into Chinese:\nHello, world." + HunyuanTokens.ASSISTANT,
                "你好，日本語、ひらがな カタカナ. English isn't ALL CAPS! 1234567 ١٢٣ 😀 e\u0301\t\n  end\n\n",
                "Keep these tags: <think></think> <answer>hi</answer>. /no_think",
                "ASCII lookalike <|hy_User|> is not special"));
        Reference.assertSameIds(ours, hf.encodeAll(texts), texts);
    }

    @Test
    void specialTokensInTextMatchHuggingFaceAndCanBeTurnedOff() {
        String text = "Keep these tags: <think></think> <answer>hi</answer>. /no_think";
        int[] ids = ours.encode(text);
        assertArrayEquals(hf.encode(text, false), ids);
        int think = ours.tokenId("<think>"), noThink = ours.tokenId("/no_think");
        assertTrue(Arrays.stream(ids).anyMatch(id -> id == think) && Arrays.stream(ids).anyMatch(id -> id == noThink));
        // A space before <think> stays its own token (no lstrip), as in spec §4.2.
        int[] plain = ours.encode(text, EncodeOptions.PLAIN_TEXT);
        assertTrue(Arrays.stream(plain).allMatch(id -> id < VOCAB), Arrays.toString(plain));
        assertEquals(text, ours.decode(plain, false, false));
    }

    @Test
    void decodeRoundTripsExactlyWithoutANormalizer() {
        List<String> texts = new ArrayList<>(Corpus.EDGE_CASES);
        texts.addAll(Corpus.parallelTexts(150));
        for (String text : texts) {
            assertEquals(text, ours.decode(ours.encode(text), false, false), Reference.escape(text));
        }
    }

    @Test
    void decodeMatchesHuggingFace() {
        List<String> texts = new ArrayList<>(Corpus.EDGE_CASES);
        texts.addAll(Corpus.parallelTexts(10));
        for (String text : texts) {
            hf.assertSameDecode(ours, text);
        }
    }

    @Test
    void mergesWrittenAsSpaceSeparatedStringsLoadTheSame() throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = (ObjectNode) json.readTree(dir.resolve("tokenizer.json").toFile());
        ArrayNode merges = (ArrayNode) root.path("model").path("merges");
        ArrayNode legacy = json.createArrayNode();
        merges.forEach(m -> legacy.add(m.get(0).asText() + " " + m.get(1).asText()));
        ((ObjectNode) root.path("model")).set("merges", legacy);
        Path legacyDir = Files.createDirectories(dir.resolve("legacy"));
        json.writeValue(legacyDir.resolve("tokenizer.json").toFile(), root);

        Tokenizer oursLegacy = Tokenizer.load(legacyDir.resolve("tokenizer.json"));
        List<String> texts = Corpus.parallelTexts(20);
        try (Reference hfLegacy = new Reference(legacyDir.resolve("tokenizer.json"))) {
            Reference.assertSameIds(oursLegacy, hfLegacy.encodeAll(texts), texts);
        }
        for (String text : texts) assertArrayEquals(ours.encode(text), oursLegacy.encode(text));
    }

    @Test
    void streamDecoderEmitsWholeCharactersOnly() {
        for (String text : Corpus.EDGE_CASES) {
            int[] ids = ours.encode(text);
            StreamDecoder stream = ours.streamDecoder(false);
            StringBuilder out = new StringBuilder();
            for (int id : ids) {
                String piece = stream.push(id);
                if (!text.contains("\uFFFD")) assertTrue(!piece.contains("\uFFFD"), "partial character emitted for " + Reference.escape(text));
                out.append(piece);
            }
            out.append(stream.finish());
            assertEquals(ours.decode(ids, false, false), out.toString());
        }
    }

    @Test
    void streamDecoderSkipsSpecialTokensAndFlushesAnUnfinishedCharacter() {
        int[] ids = ours.encode(HunyuanTokens.ASSISTANT + "你好" + HunyuanTokens.EOS);
        StreamDecoder stream = ours.streamDecoder(true);
        StringBuilder out = new StringBuilder();
        for (int id : ids) out.append(stream.push(id));
        assertEquals("你好", out + stream.finish());
        // The first byte of 你 (E4 BD A0) alone: held back, then flushed as one replacement character.
        StreamDecoder partial = ours.streamDecoder(false);
        assertEquals("", partial.push(ours.tokenId(String.valueOf(ByteLevel.charOf(0xE4)))));
        assertEquals("\uFFFD", partial.finish());
    }
}
