package dev.hymt4j.generate;

import dev.hymt4j.model.HunyuanModel;
import dev.hymt4j.safetensors.SafetensorsFile;
import dev.hymt4j.testing.TestData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class GeneratorTest {
    static HunyuanModel model;
    static int[] prompt, expected;

    @BeforeAll
    static void open() throws Exception {
        model = HunyuanModel.load(TestData.path("golden/tiny-tied"));
        try (SafetensorsFile ref = SafetensorsFile.open(TestData.path("golden/tiny-tied/reference_outputs.safetensors"))) {
            prompt = Arrays.stream(ref.readLongs("greedy_prompt")).mapToInt(Math::toIntExact).toArray();
            expected = Arrays.stream(ref.readLongs("greedy_output")).mapToInt(Math::toIntExact).toArray();
        }
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void greedyReproducesTheReferenceTokensAndStreamsThem() {
        List<Integer> streamed = new ArrayList<>();
        GenerationResult r = new Generator(model).generate(prompt,
                GenerationConfig.builder().greedy().maxNewTokens(16).build(), streamed::add);
        assertArrayEquals(expected, r.allIds());
        assertEquals(FinishReason.MAX_NEW_TOKENS, r.finishReason());
        assertEquals(5, r.promptTokens());
        assertEquals(16, r.generatedTokens());
        assertEquals(Arrays.stream(r.generatedIds()).boxed().toList(), streamed);
    }

    @Test
    void stopsAtTheFirstStopTokenAndKeepsIt() {
        int stop = expected[prompt.length + 3];
        int firstAt = prompt.length;
        while (expected[firstAt] != stop) firstAt++;
        GenerationResult r = new Generator(model).generate(prompt,
                GenerationConfig.builder().greedy().maxNewTokens(16).stopTokenIds(Set.of(stop)).build(), TokenListener.NONE);
        assertEquals(FinishReason.STOP_TOKEN, r.finishReason());
        assertArrayEquals(Arrays.copyOfRange(expected, prompt.length, firstAt + 1), r.generatedIds());
    }

    @Test
    void batchedPromptsGenerateWhatTheyGenerateAlone() {
        Generator g = new Generator(model);
        GenerationConfig c = GenerationConfig.builder().greedy().maxNewTokens(8).build();
        int[] other = {7, 300, 42, 9, 11, 100, 3, 250};
        List<GenerationResult> batch = g.generate(List.of(prompt, other), c);
        assertArrayEquals(g.generate(prompt, c, TokenListener.NONE).allIds(), batch.get(0).allIds());
        assertArrayEquals(g.generate(other, c, TokenListener.NONE).allIds(), batch.get(1).allIds());
        assertArrayEquals(Arrays.copyOf(expected, prompt.length + 8), batch.get(0).allIds());
    }

    @Test
    void sampledOutputDependsOnlyOnTheSeed() {
        Generator g = new Generator(model);
        GenerationConfig.Builder b = GenerationConfig.builder().sample(true).temperature(1.5f).maxNewTokens(12);
        int[] first = g.generate(prompt, b.seed(7).build(), TokenListener.NONE).generatedIds();
        assertArrayEquals(first, g.generate(prompt, b.seed(7).build(), TokenListener.NONE).generatedIds());
        assertNotEquals(Arrays.toString(first), Arrays.toString(g.generate(prompt, b.seed(8).build(), TokenListener.NONE).generatedIds()));
    }
}
