package dev.hymt4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.hymt4j.testing.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReadersTest {
    @TempDir Path dir;

    private static List<ParallelExample> readAll(Path file) throws IOException {
        List<ParallelExample> out = new ArrayList<>();
        try (ExampleReader r = ExampleReader.open(file)) {
            while (r.hasNext()) out.add(r.next().example());
        }
        return out;
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }

    @Test
    void readsJsonlWithAllOptionalFields() throws IOException {
        Path f = write("a.jsonl", """
                {"source":"Open the file.","target":"打开文件。","src_lang":"en","tgt_lang":"zh","terms":[{"source":"file","target":"文件"}],"context":"Menu","format":"sn-tags"}

                {"source":"Save","target":"保存","terms":[["Save","保存"]],"extra":1}
                """);
        List<ParallelExample> all = readAll(f);
        assertEquals(2, all.size());
        assertEquals(new ParallelExample("Open the file.", "打开文件。", "en", "zh",
                List.of(new ParallelExample.Term("file", "文件")), "Menu", "sn-tags"), all.get(0));
        assertEquals(List.of(new ParallelExample.Term("Save", "保存")), all.get(1).terms());
        assertEquals(null, all.get(1).srcLang());
    }

    @Test
    void readsTheRealTestdataJsonl() throws IOException {
        List<ParallelExample> all = readAll(TestData.path("data/libreoffice-ui-terms/libreoffice-help-terms.en-zh.jsonl"));
        assertEquals(1500, all.size());
        assertEquals(true, all.stream().anyMatch(e -> !e.terms().isEmpty()));
    }

    @Test
    void readsTsvWithAndWithoutLanguages() throws IOException {
        Path f = write("a.tsv", "Hello\tHallo\nCat\t猫\ten\tzh\n");
        assertEquals(List.of(ParallelExample.of("Hello", "Hallo", null, null), ParallelExample.of("Cat", "猫", "en", "zh")), readAll(f));
    }

    @Test
    void jsonlErrorsNameFileLineAndField() throws IOException {
        Path f = write("train.jsonl", "{\"source\":\"a\",\"target\":\"b\"}\n".repeat(16) + "{\"source\":\"a\",\"target\":3}\n");
        var e = assertThrows(DataFormatException.class, () -> readAll(f));
        assertEquals("train.jsonl:17: field \"target\": expected a string, got number", e.getMessage());

        Path missing = write("m.jsonl", "{\"target\":\"b\"}\n");
        assertEquals("m.jsonl:1: field \"source\": missing", assertThrows(DataFormatException.class, () -> readAll(missing)).getMessage());

        Path badTerm = write("t.jsonl", "{\"source\":\"a\",\"target\":\"b\",\"terms\":[{\"source\":\"x\",\"target\":false}]}\n");
        assertEquals("t.jsonl:1: field \"terms[0].target\": expected a string, got boolean",
                assertThrows(DataFormatException.class, () -> readAll(badTerm)).getMessage());

        Path notJson = write("n.jsonl", "{\"source\":\"a\",\"target\":\"b\"}\n{oops\n");
        assertEquals(true, assertThrows(DataFormatException.class, () -> readAll(notJson)).getMessage().startsWith("n.jsonl:2: not valid JSON"));
    }

    @Test
    void tsvErrorsNameFileAndLine() throws IOException {
        Path f = write("b.tsv", "a\tb\nno tab here\n");
        assertEquals("b.tsv:2: field \"target\": missing (no tab on the line)",
                assertThrows(DataFormatException.class, () -> readAll(f)).getMessage());
    }

    @Test
    void readsBothShareGptLayouts() throws IOException {
        Path f = write("a.json", """
                [
                {"messages":[{"role":"system","content":"be brief"},{"role":"user","content":"将以下文本翻译为中文，注意只需要输出翻译后的结果，不要额外解释：\\n\\nIt’s on the house."},{"role":"assistant","content":"这是免费的。"}]},
                {"conversations":[{"from":"human","value":"Summarise this"},{"from":"gpt","value":"ok"}]}
                ]
                """);
        List<ParallelExample> all = readAll(f);
        assertEquals(ParallelExample.of("It’s on the house.", "这是免费的。", null, "zh"), all.get(0));
        // Not a known template: the whole prompt is kept as the source.
        assertEquals(ParallelExample.of("Summarise this", "ok", null, null), all.get(1));
    }

    @Test
    void shareGptErrorsNameFileLineAndField() throws IOException {
        Path f = write("s.json", "[\n{\"messages\":[{\"role\":\"user\",\"content\":\"x\"},{\"role\":\"assistant\",\"content\":\"y\"}]},\n"
                + "{\"messages\":[{\"role\":\"user\",\"content\":7}]}\n]\n");
        assertEquals("s.json:3: field \"messages[0].content\": expected a string, got number",
                assertThrows(DataFormatException.class, () -> readAll(f)).getMessage());
    }

    @Test
    void shareGptRoundTripRecoversEveryTemplate() throws IOException {
        List<ParallelExample> examples = List.of(
                ParallelExample.of("Open the file.", "打开文件。", null, "zh"),
                ParallelExample.of("打开文件。", "Open the file.", "zh", "en"),
                ParallelExample.of("Open the file.", "Öffnen Sie die Datei.", "en", "de"),
                new ParallelExample("Open the Navigator.", "打开「导航」。", null, "zh",
                        List.of(new ParallelExample.Term("Navigator", "导航"), new ParallelExample.Term("Open", "打开")), null, null),
                new ParallelExample("Click OK.", "单击「确定」。", null, "zh", List.of(), "A dialog opens.\nIt has two buttons.", null),
                new ParallelExample("<s1>Bold</s1> text", "<s1>粗体</s1>文本", null, "zh", List.of(), null,
                        TemplatePromptCodec.SN_TAGS_FORMAT));
        for (ShareGptWriter.Style style : ShareGptWriter.Style.values()) {
            Path f = dir.resolve(style + ".json");
            try (ShareGptWriter w = new ShareGptWriter(f, TemplatePromptCodec.official(), style)) {
                for (ParallelExample e : examples) w.write(e);
            }
            List<ParallelExample> back = readAll(f);
            for (int i = 0; i < examples.size(); i++) {
                ParallelExample e = examples.get(i);
                // The prompt does not name the source language, so it cannot come back.
                assertEquals(new ParallelExample(e.source(), e.target(), null, e.tgtLang(), e.terms(), e.context(), e.format()),
                        back.get(i), style + " #" + i);
            }
        }
    }

    @Test
    void rendersTheOfficialTemplatesExactly() {
        var t = TemplatePromptCodec.official();
        assertEquals("将以下文本翻译为中文，注意只需要输出翻译后的结果，不要额外解释：\n\nIt’s on the house.",
                t.render(ParallelExample.of("It’s on the house.", "", "en", "zh")));
        assertEquals("Translate the following segment into French, without additional explanation.\n\nHello",
                t.render(ParallelExample.of("Hello", "", "en", "fr")));
        assertEquals("参考下面的翻译：\nAI 翻译成 人工智能\n\n将以下文本翻译为中文，注意只需要输出翻译后的结果，不要额外解释：\nAI is here.",
                t.render(new ParallelExample("AI is here.", "", "en", "zh", List.of(new ParallelExample.Term("AI", "人工智能")), null, null)));
        assertEquals("ctx\n参考上面的信息，把下面的文本翻译成英语，注意不需要翻译上文，也不要额外解释：\n你好",
                t.render(new ParallelExample("你好", "", "zh", "en", List.of(), "ctx", null)));
    }

    @Test
    void examplesTheTemplatesCannotExpressAreRejectedNotTruncated() {
        var t = TemplatePromptCodec.official();
        var both = new ParallelExample("x", "y", "en", "zh", List.of(new ParallelExample.Term("a", "b")), "ctx", null);
        assertThrows(IllegalArgumentException.class, () -> t.render(both));
        var formattedFrench = new ParallelExample("<s1>x</s1>", "y", "en", "fr", List.of(), null, TemplatePromptCodec.SN_TAGS_FORMAT);
        assertThrows(IllegalArgumentException.class, () -> t.render(formattedFrench));
        assertThrows(IllegalArgumentException.class, () -> t.render(ParallelExample.of("x", "y", "en", null)));
    }

    @Test
    void writtenJsonlReadsBack() throws IOException {
        Path f = dir.resolve("w.jsonl");
        ParallelExample e = new ParallelExample("a\"b\n", "c\td", "en", "de", List.of(new ParallelExample.Term("x", "y")), "ctx", null);
        try (JsonlWriter w = new JsonlWriter(f)) {
            w.write(e);
        }
        assertEquals(List.of(e), readAll(f));
    }
}
