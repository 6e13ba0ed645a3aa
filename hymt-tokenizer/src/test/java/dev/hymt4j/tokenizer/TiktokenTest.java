package dev.hymt4j.tokenizer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A hand-written rank file; every expected id below is worked out by hand in the comments. */
class TiktokenTest {
    @TempDir Path dir;
    Path file;

    /** Ids in file order: 0 a, 1 b, 2 c, 3 space, 4 byte C3, 5 byte A9, 6 ab, 7 é (C3 A9), 8 " a", 9 bc, 10 abc, (ab again: skipped), 11 ca. */
    @BeforeEach
    void writeRankFile() throws IOException {
        byte[][] tokens = {bytes("a"), bytes("b"), bytes("c"), bytes(" "), {(byte) 0xC3}, {(byte) 0xA9}, bytes("ab"),
                bytes("é"), bytes(" a"), bytes("bc"), bytes("abc"), bytes("ab"), bytes("ca")};
        StringBuilder text = new StringBuilder();
        for (int rank = 0; rank < tokens.length; rank++) text.append(Base64.getEncoder().encodeToString(tokens[rank])).append(' ').append(rank).append('\n');
        file = dir.resolve("tiny.tiktoken");
        Files.writeString(file, text);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private Tokenizer tiny() throws IOException {
        return Tokenizer.loadTiktoken(file, new TiktokenConfig(List.of("<|endoftext|>", "<|x|>"), TiktokenConfig.HUNYUAN_7B_SPLIT_REGEX, true));
    }

    @Test
    void wholePiecesAndLowestRankMerges() throws IOException {
        Tokenizer t = tiny();
        assertArrayEquals(new int[] {10}, t.encode("abc"));        // the piece is a token: emitted whole
        // abcab: a·b·c·a·b → lowest rank pair ab(6) at 0 → ab·c·a·b → ab(6) at 3 → ab·c·ab → abc(10) → abc·ab
        assertArrayEquals(new int[] {10, 6}, t.encode("abcab"));
        // " abc" is one piece; " ·a·b·c → ab(6) → " ·ab·c → abc(10); " abc" is not a token
        assertArrayEquals(new int[] {3, 10}, t.encode(" abc"));
        assertArrayEquals(new int[] {10, 3, 10}, t.encode("abc abc"));  // pieces "abc", " abc"
        assertArrayEquals(new int[] {2, 6}, t.encode("cab"));     // c·a·b: ab(6) < ca(11); "cab" is no token
        assertArrayEquals(new int[] {9, 0}, t.encode("bca"));     // b·c·a: bc(9) < ca(11)
        assertArrayEquals(new int[] {3, 1}, t.encode(" b"));      // " b" is no token
    }

    @Test
    void inputIsNfcNormalized() throws IOException {
        assertArrayEquals(new int[] {7}, tiny().encode("e\u0301")); // NFC → é = C3 A9, token 7
        assertArrayEquals(new int[] {7}, tiny().encode("é"));
    }

    @Test
    void specialTokensFollowTheVocabularyInOrder() throws IOException {
        Tokenizer t = tiny();
        assertEquals(14, t.vocabSize());                            // 12 distinct tokens + 2 specials
        assertArrayEquals(new int[] {0, 12, 1}, t.encode("a<|endoftext|>b"));
        assertArrayEquals(new int[] {13}, t.encode("<|x|>"));
        assertArrayEquals(new int[] {12, 13}, t.specialTokenIds());
        assertEquals("a<|endoftext|>b", t.decode(new int[] {0, 12, 1}, false));
        assertEquals("ab", t.decode(new int[] {0, 12, 1}, true));
    }

    @Test
    void decodingRawBytes() throws IOException {
        Tokenizer t = tiny();
        assertEquals("é", t.decode(new int[] {7}, false));
        assertEquals("é", t.decode(new int[] {4, 5}, false));
        assertEquals("\uFFFD", t.decode(new int[] {4}, false));
    }

    @Test
    void aDirectoryWithOneRankFileUsesTheHunyuan7bConventions() throws IOException {
        Tokenizer t = Tokenizer.load(dir);
        assertEquals(12, t.tokenId("<|endoftext|>"));
        assertEquals(13, t.tokenId("<|startoftext|>"));
        assertEquals(14, t.tokenId("<|bos|>"));
        assertEquals(15, t.tokenId("<|eos|>"));
        assertEquals(16, t.tokenId("<|pad|>"));
        assertEquals(17, t.tokenId("<|extra_0|>"));
        assertEquals(12 + 5 + 204, t.tokenId("<|extra_204|>"));
        assertEquals(12 + 5 + 205, t.vocabSize());
    }

    @Test
    void aBadLineIsReportedWithFileAndLineNumber() throws IOException {
        Files.writeString(file, "YQ== 0\nnot-base64! 1\n");
        var e = assertThrows(TokenizerLoadException.class, () -> Tokenizer.load(file));
        assertTrue(e.getMessage().contains("tiny.tiktoken") && e.getMessage().contains("line 2"), e.getMessage());
    }
}
