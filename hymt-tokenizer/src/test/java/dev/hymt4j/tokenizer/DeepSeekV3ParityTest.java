package dev.hymt4j.tokenizer;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Our tokenizer against the Hugging Face tokenizers library on DeepSeek-V3's real tokenizer.json: a 128k
 * byte-level BPE with the same three-stage Split pre-tokenizer as HY-MT1.5-1.8B (spec §4.2), so it exercises
 * the HY pipeline on a real, large vocabulary.
 */
class DeepSeekV3ParityTest {
    @TempDir static Path dir;
    static Tokenizer ours;
    static Reference hf;

    @BeforeAll
    static void load() throws IOException {
        Path json = Corpus.unpack("deepseek-v3", dir);
        ours = Tokenizer.load(json);
        hf = new Reference(json);
    }

    @AfterAll
    static void close() {
        hf.close();
    }

    @Test
    void sameIdsAsHuggingFaceOnRealTextInEightLanguagesAndEdgeCases() {
        List<String> texts = new ArrayList<>(Corpus.parallelTexts(150));
        assertTrue(texts.size() >= 2000, "only " + texts.size() + " texts");
        texts.addAll(Corpus.EDGE_CASES);
        Reference.assertSameIds(ours, hf.encodeAll(texts), texts);
    }

    @Test
    void hunyuanStyleDigitAndCjkSplitsOnTheRealVocabulary() {
        // Stage A splits digit runs into groups of at most three: the reference library must agree token for token.
        for (String text : List.of("1234567", "第1234567号", "価格は12345円です", "x²+y³=z¹²³⁴")) {
            assertArrayEquals(hf.encode(text, false), ours.encode(text), text);
        }
    }

    @Test
    void decodeRoundTripsWithoutANormalizer() {
        for (String text : Corpus.parallelTexts(20)) {
            assertEquals(text, ours.decode(ours.encode(text), false, false));
        }
    }
}
