package dev.hymt4j.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hymt4j.testing.TestData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** Real text from testdata/data and hand-picked edge cases, shared by the tokenizer tests. */
final class Corpus {
    private Corpus() {}

    /** The LibreOffice help pairs en→zh/de/fr/ja/ko/ru/es and the Bible en→es: 8 languages. */
    static final List<String> PARALLEL_FILES = List.of(
            "libreoffice-help/libreoffice-help.en-zh.jsonl", "libreoffice-help/libreoffice-help.en-de.jsonl",
            "libreoffice-help/libreoffice-help.en-fr.jsonl", "libreoffice-help/libreoffice-help.en-ja.jsonl",
            "libreoffice-help/libreoffice-help.en-ko.jsonl", "libreoffice-help/libreoffice-help.en-ru.jsonl",
            "libreoffice-help/libreoffice-help.en-es.jsonl", "bible-web-rv1909/bible-nt.en-es.jsonl");

    /** Texts that stress the pre-tokenizers, byte-level BPE and added-token matching. */
    static final List<String> EDGE_CASES = List.of(
            "😀 emoji 👍🏽 and a family 👨‍👩‍👧 in text, flags 🇩🇪🇨🇳",
            "Mixed scripts: 東京 Tokyo Москва München 서울 القاهرة Αθήνα हिन्दी",
            "digits 1234567 and 1,234.5678 and Arabic-Indic ١٢٣٤٥٦٧ and fullwidth １２３４ and ² ½ Ⅻ",
            "e\u0301 vs é, a\u030A vs å, Hangul jamo \u1100\u1161 vs 가",
            "runs   of    spaces\t\ttabs\t \n\nnewlines\r\n\r\n   \n  trailing   ",
            "   leading spaces", "\n", " ", "", "\t\t\t", "a\u00A0b\u3000c\u2003d",
            "isn't it? I'M here, they'RE ok; we've, you'll, I'd",
            "<｜hy_User｜>embedded special<｜hy_Assistant｜> and <think></think> /no_think",
            "<|im_start|>user\nhi<|im_end|> and <|endoftext|> and half <|im_sta",
            "Combining ̈ alone, ZWJ \u200D, BOM \uFEFF, replacement \uFFFD, private \uE000",
            "URL https://example.com/a_b-c?x=1&y=2#frag and e-mail a.b@c.de",
            "code: if (x >= 10) { return arr[i] * 2; } // comment",
            "日本語のテキストとカタカナ、ひらがな。中文：你好，世界！한국어 텍스트입니다.",
            "Ünïcödé ßtraße ŒUVRE ǅ ﬁ ligature",
            "a".repeat(300), " ".repeat(200) + "x", "ab".repeat(500));

    /** Up to {@code perFile} pairs from each parallel file, sources and targets interleaved. */
    static List<String> parallelTexts(int perFile) {
        List<String> texts = new ArrayList<>();
        for (String file : PARALLEL_FILES) {
            List<JsonNode> pairs = readJsonl(TestData.path("data/" + file), perFile);
            for (JsonNode pair : pairs) {
                texts.add(pair.path("source").asText());
                texts.add(pair.path("target").asText());
            }
        }
        return texts;
    }

    /** Every source and target text of every jsonl file under testdata/data (the training corpus). */
    static List<String> allTexts() {
        List<String> texts = new ArrayList<>();
        try (var files = Files.walk(TestData.path("data"))) {
            for (Path file : files.filter(p -> p.toString().endsWith(".jsonl") && !p.toString().contains("/raw/")).sorted().toList()) {
                for (JsonNode pair : readJsonl(file, Integer.MAX_VALUE)) {
                    texts.add(pair.path("source").asText());
                    texts.add(pair.path("target").asText());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return texts;
    }

    private static List<JsonNode> readJsonl(Path file, int limit) {
        ObjectMapper json = new ObjectMapper();
        try (var lines = Files.lines(file)) {
            return lines.filter(l -> !l.isBlank()).limit(limit).map(l -> {
                try {
                    return json.readTree(l);
                } catch (IOException e) {
                    throw new UncheckedIOException(file + ": bad line", e);
                }
            }).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Decompresses testdata/tokenizers/qwen3 into {@code dir} (tokenizer.json + tokenizer_config.json). */
    static Path qwen3(Path dir) throws IOException {
        return unpack("qwen3", dir);
    }

    /** Decompresses testdata/tokenizers/{@code name} into {@code dir} (tokenizer.json + tokenizer_config.json). */
    static Path unpack(String name, Path dir) throws IOException {
        Path src = TestData.path("tokenizers/" + name);
        try (var in = new GZIPInputStream(Files.newInputStream(src.resolve("tokenizer.json.gz")))) {
            Files.copy(in, dir.resolve("tokenizer.json"));
        }
        Files.copy(src.resolve("tokenizer_config.json"), dir.resolve("tokenizer_config.json"));
        return dir.resolve("tokenizer.json");
    }
}
