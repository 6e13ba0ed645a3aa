package dev.hymt4j.cli;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hymt4j.demo.DemoSetup;
import dev.hymt4j.lora.LoraAdapter;
import dev.hymt4j.model.ForwardOptions;
import dev.hymt4j.model.HunyuanModel;
import dev.hymt4j.model.ModelConfig;
import dev.hymt4j.model.ModelWeights;
import dev.hymt4j.quant.LlamaCppActivations;
import dev.hymt4j.safetensors.DType;
import dev.hymt4j.testing.TestData;
import dev.hymt4j.tokenizer.Tokenizer;
import dev.hymt4j.weights.WeightSource;
import dev.hymt4j.weights.WeightSources;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.hymt4j.cli.CoreCommandsTest.hymt;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * llama.cpp is the judge: every GGUF {@code hymt quantize} and {@code hymt export gguf-lora} write is loaded by
 * llama.cpp itself (node-llama-cpp 3.21.1, see {@link LlamaCpp}) and must tokenize, score and generate as our
 * engine does on the same file.
 *
 * <p><b>The tolerance.</b> llama.cpp does not multiply float activations: before each matrix product its CPU
 * backend rounds them to the weight type's {@code vec_dot_type} — int8 blocks (Q8_0 per 32 values for
 * Q4_0/Q8_0, Q8_K per 256 for the k-quants), F16 for F16 weights, BF16 for BF16 weights; our engine keeps them
 * float32. So the allowed difference is what that rounding does, measured on the same file and tokens:
 * {@code ε} = the largest change of a next-token probability when our engine is given llama.cpp's rounded
 * activations ({@link LlamaCppActivations}). We require {@code |p_ours − p_llama.cpp| ≤ 1.5·ε + 1e-4} for
 * every token at every position (the 1e-4 covers float32 summation order), and where our emulation of the
 * rounding is exact (F32, Q4_0 and the k-quants) the emulated engine must match llama.cpp within 2e-5 — the
 * int8 path then accounts for the whole difference. For this model ε is about 2e-4 (F16) to 6e-3 (Q4_K_M).
 */
class LlamaCppJudgeTest {
    @TempDir
    static Path dir;
    static LlamaCpp llama;
    static Path model;
    static final List<String> TYPES = List.of("F32", "F16", "BF16", "Q8_0", "Q6_K", "Q5_K_M", "Q4_K_M", "Q4_0");
    /** Types whose activation rounding {@link LlamaCppActivations} reproduces exactly (llama.cpp's vec_dot path). */
    static final List<String> EXACT = List.of("F32", "Q6_K", "Q5_K_M", "Q4_K_M", "Q4_0");
    static final int[] PROMPT = {7, 300, 1200, 42, 5, 999, 1501, 256, 1000, 17, 88, 640, 1422, 3, 512, 1300};
    static Map<String, JsonNode> results = new HashMap<>();

    @BeforeAll
    static void quantizeAndJudge() throws Exception {
        llama = LlamaCpp.in(dir.resolve("oracle"));
        model = dir.resolve("demo");
        DemoSetup.create(model, 3, 1500, DType.F32, QuantizeGgufCommandTest.SHAPE);
        int vocab = ModelConfig.load(model.resolve("config.json")).vocabSize();
        List<Map<String, Object>> runs = new ArrayList<>();
        for (String type : TYPES) {
            Path file = file(type);
            CoreCommandsTest.Run r = hymt("quantize", "--model", model.toString(), "--type", type, "--out", file.toString());
            assertEquals(0, r.exitCode(), r.err());
            runs.add(run(file, vocab, null, List.of(
                    Map.of("kind", "probabilities", "ids", PROMPT),
                    Map.of("kind", "greedy", "ids", Arrays.copyOf(PROMPT, 6), "tokens", 24))));
        }
        Path lora = QuantizeGgufCommandTest.adapter(dir, model, "adapter", ModelConfig.load(model.resolve("config.json")), false);
        Path loraGguf = dir.resolve("adapter.gguf");
        assertEquals(0, hymt("export", "gguf-lora", "--adapter", lora.toString(), "--out", loraGguf.toString()).exitCode());
        for (String base : List.of("F32", "Q4_K_M")) {
            runs.add(run(file(base), vocab, loraGguf, List.of(Map.of("kind", "probabilities", "ids", PROMPT))));
        }
        runs.add(run(file("Q8_0"), vocab, null, List.of(Map.of("kind", "tokenize", "texts", texts()))));
        JsonNode response = llama.run(runs);
        for (int i = 0; i < TYPES.size(); i++) results.put(TYPES.get(i), response.get(i).path("results"));
        results.put("lora F32", response.get(TYPES.size()).path("results"));
        results.put("lora Q4_K_M", response.get(TYPES.size() + 1).path("results"));
        results.put("tokenize", response.get(TYPES.size() + 2).path("results"));
    }

    static Path file(String type) {
        return dir.resolve("demo-" + type + ".gguf");
    }

    static Map<String, Object> run(Path model, int vocab, Path lora, List<Map<String, Object>> tasks) {
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("model", model.toString());
        run.put("vocab", vocab);
        if (lora != null) run.put("lora", lora.toString());
        run.put("tasks", tasks);
        return run;
    }

    /** 2,400 lines of real text in eight languages (testdata/data: LibreOffice help, Bible). */
    static List<String> texts() throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<String> texts = new ArrayList<>();
        for (String f : List.of("libreoffice-help/libreoffice-help.en-zh.jsonl", "libreoffice-help/libreoffice-help.en-de.jsonl",
                "libreoffice-help/libreoffice-help.en-fr.jsonl", "libreoffice-help/libreoffice-help.en-ja.jsonl",
                "libreoffice-help/libreoffice-help.en-ko.jsonl", "libreoffice-help/libreoffice-help.en-ru.jsonl",
                "libreoffice-help/libreoffice-help.en-es.jsonl", "bible-web-rv1909/bible-nt.en-es.jsonl")) {
            List<String> lines = Files.readAllLines(TestData.path("data/" + f));
            for (String line : lines.subList(0, Math.min(150, lines.size()))) {
                JsonNode pair = json.readTree(line);
                texts.add(pair.path("source").asText());
                texts.add(pair.path("target").asText());
            }
        }
        return texts;
    }

    /** Softmax of each position's logits, in double. */
    static double[][] probabilities(float[] logits, int positions, int vocab) {
        double[][] p = new double[positions][vocab];
        for (int t = 0; t < positions; t++) {
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int v = 0; v < vocab; v++) max = Math.max(max, logits[t * vocab + v]);
            for (int v = 0; v < vocab; v++) sum += p[t][v] = Math.exp(logits[t * vocab + v] - max);
            for (int v = 0; v < vocab; v++) p[t][v] /= sum;
        }
        return p;
    }

    static double[][] of(JsonNode rows) {
        double[][] p = new double[rows.size()][];
        for (int t = 0; t < p.length; t++) {
            p[t] = new double[rows.get(t).size()];
            for (int v = 0; v < p[t].length; v++) p[t][v] = rows.get(t).get(v).asDouble();
        }
        return p;
    }

    static double maxDifference(double[][] a, double[][] b) {
        double max = 0;
        for (int t = 0; t < a.length; t++) for (int v = 0; v < a[t].length; v++) max = Math.max(max, Math.abs(a[t][v] - b[t][v]));
        return max;
    }

    static float[] logits(ModelWeights weights, LoraAdapter adapter) {
        return new HunyuanModel(weights).forward(PROMPT, ForwardOptions.ALL_LOGITS, adapter).logits();
    }

    @Test
    void everyQuantizedFileScoresLikeLlamaCppWithinItsActivationRounding() throws Exception {
        StringBuilder report = new StringBuilder();
        for (String type : TYPES) {
            try (WeightSource source = WeightSources.open(file(type))) {
                ModelWeights weights = ModelWeights.load(source);
                int vocab = source.config().vocabSize();
                double[][] ours = probabilities(logits(weights, null), PROMPT.length, vocab);
                double[][] emulated = probabilities(logits(LlamaCppActivations.wrap(weights), null), PROMPT.length, vocab);
                double[][] theirs = of(results.get(type).get(0).path("probabilities"));
                double epsilon = maxDifference(ours, emulated), difference = maxDifference(ours, theirs);
                double emulatedDifference = maxDifference(emulated, theirs);
                report.append(String.format("%n%-7s |ours−llama| %.2e  ε %.2e  |emulated−llama| %.2e", type, difference, epsilon, emulatedDifference));
                assertTrue(difference <= 1.5 * epsilon + 1e-4, type + ": " + report);
                if (EXACT.contains(type)) assertTrue(emulatedDifference <= 2e-5, type + ": " + report);
            }
        }
        System.out.println("llama.cpp probabilities:" + report);
    }

    @Test
    void greedyGenerationAgrees() throws Exception {
        for (String type : TYPES) {
            int[] theirs = ids(results.get(type).get(1).path("ids"));
            try (HunyuanModel m = HunyuanModel.load(file(type))) {
                int[] ids = Arrays.copyOf(PROMPT, 6);
                for (int step = 0; step < theirs.length; step++) {
                    float[] logits = m.forward(ids, ForwardOptions.LAST_LOGITS).logits();
                    int best = 0;
                    for (int v = 1; v < logits.length; v++) if (logits[v] > logits[best]) best = v;
                    assertEquals(theirs[step], best, type + ": greedy token " + step + " of " + Arrays.toString(theirs));
                    ids = Arrays.copyOf(ids, ids.length + 1);
                    ids[ids.length - 1] = best;
                }
                assertEquals(24, theirs.length);
            }
        }
    }

    static int[] ids(JsonNode array) {
        int[] ids = new int[array.size()];
        for (int i = 0; i < ids.length; i++) ids[i] = array.get(i).asInt();
        return ids;
    }

    @Test
    void ourGgufLoraAdapterRunsInLlamaCppAsOnOurEngine() throws Exception {
        for (String base : List.of("F32", "Q4_K_M")) {
            try (WeightSource source = WeightSources.open(file(base))) {
                ModelConfig config = source.config();
                LoraAdapter adapter = LoraAdapter.load(dir.resolve("adapter"), config);
                ModelWeights weights = ModelWeights.load(source);
                // the emulation is exact for both bases: the adapter then must agree to float precision
                double[][] emulated = probabilities(logits(LlamaCppActivations.wrap(weights), adapter), PROMPT.length, config.vocabSize());
                double[][] theirs = of(results.get("lora " + base).get(0).path("probabilities"));
                double[][] withoutAdapter = probabilities(logits(LlamaCppActivations.wrap(weights), null), PROMPT.length, config.vocabSize());
                assertTrue(maxDifference(emulated, theirs) <= 2e-5, base + " + adapter: " + maxDifference(emulated, theirs));
                assertTrue(maxDifference(withoutAdapter, theirs) > 1e-3, "the adapter must change the output for this test to mean anything");
            }
        }
    }

    @Test
    void tokenizationOfRealTextEqualsOursAndHuggingFaces() throws Exception {
        List<String> texts = texts();
        assertTrue(texts.size() >= 2000);
        JsonNode theirs = results.get("tokenize").get(0).path("ids");
        Tokenizer fromGguf = Tokenizer.load(file("Q8_0"));
        try (HuggingFaceTokenizer hf = HuggingFaceTokenizer.newInstance(model.resolve("tokenizer.json"),
                Map.of("addSpecialTokens", "false", "padding", "false", "truncation", "false"))) {
            int mismatches = 0;
            StringBuilder report = new StringBuilder();
            for (int i = 0; i < texts.size(); i++) {
                int[] ours = fromGguf.encode(texts.get(i));
                int[] reference = Arrays.stream(hf.encode(texts.get(i), false, false).getIds()).mapToInt(Math::toIntExact).toArray();
                int[] llamaIds = ids(theirs.get(i));
                if (!Arrays.equals(ours, llamaIds) || !Arrays.equals(ours, reference)) {
                    if (mismatches++ < 3) report.append("\n").append(texts.get(i));
                }
            }
            assertEquals(0, mismatches, mismatches + " of " + texts.size() + " texts differ:" + report);
        }
        assertArrayEquals(fromGguf.encode(texts.get(0)), Tokenizer.load(model).encode(texts.get(0)));
    }
}
