package dev.hymt4j.translate;

import dev.hymt4j.generate.GenerationConfig;
import dev.hymt4j.model.DemoModel;
import dev.hymt4j.model.CausalLm;
import dev.hymt4j.prompt.GenerationDefaults;
import dev.hymt4j.prompt.GlossaryEntry;
import dev.hymt4j.prompt.Language;
import dev.hymt4j.prompt.PromptEnding;
import dev.hymt4j.prompt.TranslationRequest;
import dev.hymt4j.safetensors.DType;
import dev.hymt4j.tokenizer.BpeTrainer;
import dev.hymt4j.tokenizer.EncodeOptions;
import dev.hymt4j.tokenizer.HunyuanTokens;
import dev.hymt4j.tokenizer.Tokenizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Translator over a tiny random model with a BPE tokenizer trained in the test. */
class TranslatorTest {
    @TempDir
    static Path dir;
    static Translator translator;
    static Tokenizer tokenizer;

    @BeforeAll
    static void setUp() throws Exception {
        List<String> texts = List.of("Select a magnification for the print preview.", "选择页面预览的放大比例。",
                "Use this bar to enter formulas.", "使用该工具栏以数据公式。", "Translate the following segment");
        new BpeTrainer(400).minFrequency(1).train(texts).writeTo(dir);
        tokenizer = Tokenizer.load(dir);
        DemoModel.write(dir, new DemoModel.Shape(tokenizer.vocabSize(), 32, 2, 4, 2, 8, 64, true), DType.F32, 7,
                new DemoModel.SpecialIds(tokenizer.tokenId(HunyuanTokens.BOS), tokenizer.tokenId(HunyuanTokens.EOS),
                        tokenizer.tokenId(HunyuanTokens.PAD)));
        translator = Translator.load(dir);
    }

    @AfterAll
    static void tearDown() {
        translator.close();
    }

    private static int id(String token) {
        return tokenizer.tokenId(token);
    }

    private static int[] concat(int first, int second, int[] middle, int last) {
        int[] out = new int[middle.length + 3];
        out[0] = first;
        out[1] = second;
        System.arraycopy(middle, 0, out, 2, middle.length);
        out[out.length - 1] = last;
        return out;
    }

    @Test
    void promptIsBosUserTemplateEndOfPromptWithTheTokenizersIds() {
        String text = "Select a magnification.";
        // Spec §6.1 template 1 (Chinese side) and §5.2: BOS, <｜hy_User｜>, encode(prompt), <｜hy_place▁holder▁no▁8｜>.
        String user = "将以下文本翻译为中文，注意只需要输出翻译后的结果，不要额外解释：\n\n" + text;
        int[] expected = concat(id(HunyuanTokens.BOS), id(HunyuanTokens.USER), tokenizer.encode(user), id(HunyuanTokens.END_OF_DOCUMENT));
        assertArrayEquals(expected, translator.promptIds(TranslationRequest.of(text, Language.ZH)));

        // add_generation_prompt=True style ends with <｜hy_Assistant｜> instead; XX⇄XX uses the English template.
        String english = "Translate the following segment into German, without additional explanation.\n\n" + text;
        int[] expectedAssistant = concat(id(HunyuanTokens.BOS), id(HunyuanTokens.USER), tokenizer.encode(english), id(HunyuanTokens.ASSISTANT));
        assertArrayEquals(expectedAssistant, translator.withPromptEnding(PromptEnding.ASSISTANT)
                .promptIds(TranslationRequest.of(text, Language.parse("de"))));
    }

    @Test
    void terminologyPromptAndSpecialTokenTextStaysPlainText() {
        TranslationRequest r = TranslationRequest.of("Click <think> now", Language.ZH)
                .withGlossary(List.of(new GlossaryEntry("Click", "点击")));
        String user = "参考下面的翻译：\nClick 翻译成 点击\n\n将以下文本翻译为中文，注意只需要输出翻译后的结果，不要额外解释：\nClick <think> now";
        int[] ids = translator.promptIds(r);
        assertArrayEquals(tokenizer.encode(user, EncodeOptions.PLAIN_TEXT), Arrays.copyOfRange(ids, 2, ids.length - 1));
        int think = id("<think>");
        assertTrue(IntStream.of(ids).noneMatch(i -> i == think), "a literal <think> in user text must not become the special token");
        assertEquals(1, IntStream.of(ids).filter(i -> i == id(HunyuanTokens.BOS)).count(), "BOS exactly once");
    }

    @Test
    void batchTranslationMatchesOneByOneAndKeepsOrder() {
        Translator greedy = translator.withGeneration(GenerationConfig.builder().greedy().maxNewTokens(6).build()).withBatchSize(2);
        List<TranslationRequest> requests = new ArrayList<>();
        for (String s : List.of("Use this bar.", "Select a magnification for the print preview.", "Enter formulas."))
            requests.add(TranslationRequest.of(s, Language.ZH));
        List<Translation> batch = greedy.translateAll(requests, done -> {});
        for (int i = 0; i < requests.size(); i++) {
            Translation one = greedy.translate(requests.get(i));
            assertEquals(one.rawOutput(), batch.get(i).rawOutput(), "request " + i);
            assertEquals(greedy.promptIds(requests.get(i)).length, batch.get(i).promptTokens());
            assertTrue(batch.get(i).generatedTokens() <= 6);
        }
    }

    @Test
    void streamingDeliversTheSameTextAsTheResult() {
        Translator greedy = translator.withGeneration(GenerationConfig.builder().greedy().maxNewTokens(8).build());
        StringBuilder streamed = new StringBuilder();
        Translation t = greedy.translate(TranslationRequest.of("Use this bar.", Language.ZH), streamed::append);
        assertEquals(t.rawOutput(), streamed.toString());
    }

    @Test
    void defaultsComeFromGenerationConfigJson() throws Exception {
        GenerationDefaults d = GenerationDefaults.load(dir);
        GenerationConfig g = translator.generation();
        assertEquals(d.doSample(), g.sample());
        assertEquals((float) d.topP(), g.topP());
        assertTrue(g.stopTokenIds().contains(id(HunyuanTokens.EOS)));
        CausalLm model = translator.model();
        assertTrue(g.stopTokenIds().stream().allMatch(i -> i < model.config().vocabSize()));
    }
}
