package dev.hymt4j.tokenizer;

import java.io.IOException;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Our tokenizer against the Hugging Face tokenizers library on Qwen3's real tokenizer.json (151k-token
 * byte-level BPE, NFC normalizer, single Split regex with (?i:...) contractions, 26 added tokens).
 */
class Qwen3ParityTest {
    @TempDir static Path dir;
    static Tokenizer ours;
    static Reference hf;

    @BeforeAll
    static void load() throws IOException {
        Path json = Corpus.qwen3(dir);
        ours = Tokenizer.load(dir); // via the model directory
        hf = new Reference(json);
    }

    @AfterAll
    static void close() {
        hf.close();
    }

    @Test
    void sameIdsAsHuggingFaceOnRealTextInEightLanguages() {
        List<String> texts = Corpus.parallelTexts(150);
        assertTrue(texts.size() >= 2000, "only " + texts.size() + " texts");
        Reference.assertSameIds(ours, hf.encodeAll(texts), texts);
    }

    @Test
    void sameIdsOnTheWholeCorpusAndThroughput() {
        List<String> texts = Corpus.allTexts();
        long start = System.nanoTime();
        int[][] expected = hf.encodeAll(texts);
        long hfNanos = System.nanoTime() - start;
        long tokens = Reference.assertSameIds(ours, expected, texts);

        // Throughput on the same texts, after the comparison above warmed our BPE cache.
        start = System.nanoTime();
        for (String text : texts) ours.encode(text);
        long ourNanos = System.nanoTime() - start;
        System.out.printf("Qwen3 parity, whole corpus: %d texts, %d tokens identical; ours %.0f tokens/s (warm cache, 1 thread), DJL batchEncode %.0f tokens/s%n",
                texts.size(), tokens, tokens / (ourNanos / 1e9), tokens / (hfNanos / 1e9));
    }

    @Test
    void sameIdsOnEdgeCases() {
        List<String> texts = new ArrayList<>(Corpus.EDGE_CASES);
        Reference.assertSameIds(ours, hf.encodeAll(texts), texts);
    }

    @Test
    void specialTokenTextIsSplitOutByDefaultAndPlainTextOnRequest() {
        String text = "a<|im_start|>b";
        int imStart = ours.tokenId("<|im_start|>");
        assertEquals(151644, imStart);
        assertArrayEquals(hf.encode(text, false), ours.encode(text));
        assertTrue(java.util.Arrays.stream(ours.encode(text)).anyMatch(id -> id == imStart));
        int[] plain = ours.encode(text, EncodeOptions.PLAIN_TEXT);
        assertFalse(java.util.Arrays.stream(plain).anyMatch(id -> id == imStart));
        assertEquals(text, ours.decode(plain, false));
    }

    @Test
    void decodeMatchesHuggingFace() {
        List<String> texts = new ArrayList<>(Corpus.EDGE_CASES);
        texts.addAll(Corpus.parallelTexts(10));
        for (String text : texts) {
            hf.assertSameDecode(ours, text);
            // Qwen3 normalizes to NFC, so the round trip gives the NFC form back.
            assertEquals(Normalizer.normalize(text, Normalizer.Form.NFC), ours.decode(ours.encode(text), false));
        }
    }

    @Test
    void idsOutsideTheVocabularyAreSkippedWhenDecodingAsHuggingFaceDoes() {
        int[] ids = ours.encode("Hello world");
        int[] withUnknown = java.util.Arrays.copyOf(ids, ids.length + 1);
        withUnknown[ids.length] = ours.vocabSize() + 1000;
        assertEquals(hf.decode(withUnknown, false), ours.decode(withUnknown, false, false));
        assertEquals("Hello world", ours.decode(withUnknown, false, false));
    }

    @Test
    void decodeOfSingleTokensSplittingCharactersMatchesHuggingFace() {
        // Each id alone: partial UTF-8 sequences must become U+FFFD exactly as tokenizers' from_utf8_lossy does.
        for (int id : hf.encode("😀 東京 Москва 👨‍👩‍👧 한국어", false)) {
            assertEquals(hf.decode(new int[] {id}, false), ours.decode(new int[] {id}, false), "id " + id);
        }
    }

    @Test
    void vocabularyFacts() {
        // The file's added_tokens are 26 entries with ids 151643…151668, right after the 151643 BPE tokens.
        assertEquals(151669, ours.vocabSize());
        int[] the = hf.encode(" the", false);
        assertEquals(1, the.length);
        assertEquals("Ġthe", ours.tokenString(the[0]));
        assertEquals(the[0], ours.tokenId("Ġthe"));
        assertFalse(ours.cleansUpSpacesByDefault()); // tokenizer_config.json says false
    }
}
