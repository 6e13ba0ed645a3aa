package dev.hymt4j.tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** A tokenizer.json small enough to compute every id by hand: template post-processing, added-token options, clean-up. */
class HandBuiltTokenizerTest {
    @TempDir Path dir;

    @BeforeEach
    void write() throws IOException {
        Files.writeString(dir.resolve("tokenizer.json"), """
                {"added_tokens": [
                   {"id": 7, "content": "<s>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
                   {"id": 8, "content": "[M]", "single_word": false, "lstrip": true, "rstrip": true, "normalized": false, "special": true},
                   {"id": 9, "content": "ab", "single_word": true, "lstrip": false, "rstrip": false, "normalized": true, "special": false}],
                 "normalizer": {"type": "Sequence", "normalizers": [{"type": "NFKC"}, {"type": "Lowercase"}]},
                 "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "use_regex": true},
                 "post_processor": {"type": "TemplateProcessing",
                   "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
                   "special_tokens": {"<s>": {"id": "<s>", "ids": [7], "tokens": ["<s>"]}}},
                 "decoder": {"type": "ByteLevel"},
                 "model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "Ġ": 2, "ab": 3, "Ġab": 4, "!": 5, "c": 6},
                           "merges": ["a b", ["Ġ", "ab"]]}}
                """);
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"clean_up_tokenization_spaces\": true}");
    }

    @Test
    void encodeWithAndWithoutTemplate() throws IOException {
        Tokenizer t = Tokenizer.load(dir);
        // "abc AB": NFKC+lowercase → "abc ab"; "ab" (single_word) is glued to "c" so not matched at 0; at 4 it
        // stands alone and matches (id 9). "abc " → pieces "abc", " " → a·b→ab(3), c(6); " " → Ġ(2).
        assertArrayEquals(new int[] {3, 6, 2, 9}, t.encode("abc AB"));
        assertArrayEquals(new int[] {7, 3, 6, 2, 9}, t.encode("abc AB", new EncodeOptions(true, true)));
        // [M] takes the spaces around it (lstrip, rstrip): "c [M]  c" → c, [M], c.
        assertArrayEquals(new int[] {6, 8, 6}, t.encode("c [M]  c"));
        // Not allowed as special: "[M]" is text, and "[", "M", "]" are not in the vocabulary, so only spaces and c remain.
        assertArrayEquals(new int[] {6, 2, 2, 2, 6}, t.encode("c [M]  c", EncodeOptions.PLAIN_TEXT));
    }

    @Test
    void decodeCleansUpSpacesWhenTheConfigSaysSo() throws IOException {
        Tokenizer t = Tokenizer.load(dir);
        int[] ids = {3, 2, 5, 4}; // "ab" " " "!" " ab"
        assertEquals("ab! ab", t.decode(ids, false));
        assertEquals("ab ! ab", t.decode(ids, false, false));
        assertEquals("<s>ab", t.decode(new int[] {7, 3}, false));
        assertEquals("ab", t.decode(new int[] {7, 3}, true));
    }

    @Test
    void cleanUpReplacementsInTheirDocumentedOrder() {
        assertEquals("Bonjour! Ça va? Oui, merci.", Tokenizer.cleanUpTokenizationSpaces("Bonjour ! Ça va ? Oui , merci ."));
        assertEquals("I don't know, he's sure I'm right, we've, they're", Tokenizer.cleanUpTokenizationSpaces("I do n't know , he 's sure I 'm right , we 've , they 're"));
        assertEquals("a'b", Tokenizer.cleanUpTokenizationSpaces("a ' b"));
    }
}
