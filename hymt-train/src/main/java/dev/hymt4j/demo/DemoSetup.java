package dev.hymt4j.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hymt4j.io.AtomicFile;
import dev.hymt4j.model.DemoModel;
import dev.hymt4j.safetensors.DType;
import dev.hymt4j.tokenizer.BpeTrainer;
import dev.hymt4j.tokenizer.HunyuanTokens;
import dev.hymt4j.tokenizer.Tokenizer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Writes the demo model directory: a byte-level BPE tokenizer trained by our own trainer on the shipped
 * LibreOffice help sample (so Chinese and Latin text split into sensible pieces), plus a small random model of
 * the HunYuan dense architecture sized to that vocabulary. Its translations mean nothing until it is
 * fine-tuned; it exists so every command runs end to end on a machine without the real weights.
 */
public final class DemoSetup {
    /** The shipped corpus files (MPL-2.0; see the README beside them). */
    public static final List<String> CORPUS = List.of("libreoffice-help.en-zh.jsonl", "libreoffice-help-terms.en-zh.jsonl");
    private static final String RESOURCE_DIR = "/dev/hymt4j/demo/";
    /** Learned byte-level vocabulary of the demo tokenizer (special tokens come on top). */
    public static final int DEMO_VOCAB = 4000;

    private DemoSetup() {}

    /** The demo architecture for a vocabulary: small enough that LoRA trains at thousands of tokens/s on 2 cores. */
    public static DemoModel.Shape shape(int vocabSize) {
        return new DemoModel.Shape(vocabSize, 128, 4, 4, 2, 32, 384, true);
    }

    /** Writes tokenizer.json, tokenizer_config.json, config.json, generation_config.json, model.safetensors. */
    public static void create(Path dir, long seed) throws IOException {
        create(dir, seed, false);
    }

    /**
     * As {@link #create(Path, long)}; {@code fullSize} writes the HY-MT1.5-1.8B shape instead (3.6 GB of random
     * BF16, vocabulary 120818 of which the demo tokenizer uses the first ids) — for benchmarks and memory tests.
     */
    public static void create(Path dir, long seed, boolean fullSize) throws IOException {
        if (fullSize) create(dir, seed, DEMO_VOCAB, DType.BF16, vocab -> DemoModel.Shape.HY_MT_1_8B);
        else create(dir, seed, DEMO_VOCAB, DType.F32, DemoSetup::shape);
    }

    /**
     * Writes a tokenizer of {@code learnedVocab} byte-level tokens (plus the special tokens) trained on the shipped
     * corpus, and a random model of {@code shapeForVocab(tokenizer vocabulary size)}; tests use tiny ones.
     */
    public static void create(Path dir, long seed, int learnedVocab, DType dtype, IntFunction<DemoModel.Shape> shapeForVocab)
            throws IOException {
        Files.createDirectories(dir);
        List<String> texts = new ArrayList<>();
        for (String file : CORPUS) {
            for (JsonNode pair : readCorpus(file)) {
                texts.add(pair.path("source").asText());
                texts.add(pair.path("target").asText());
            }
        }
        new BpeTrainer(learnedVocab).train(texts).writeTo(dir);
        Tokenizer tokenizer = Tokenizer.load(dir);
        DemoModel.SpecialIds ids = new DemoModel.SpecialIds(tokenizer.tokenId(HunyuanTokens.BOS),
                tokenizer.tokenId(HunyuanTokens.EOS), tokenizer.tokenId(HunyuanTokens.PAD));
        DemoModel.write(dir, shapeForVocab.apply(tokenizer.vocabSize()), dtype, seed, ids);
        AtomicFile.writeString(dir.resolve("README.md"), """
                # hymt4j demo model

                A small RANDOM model of the HY-MT1.5 (HunYuan dense) architecture with a byte-level BPE tokenizer
                trained by hymt4j on a LibreOffice help en-zh sample (MPL-2.0). Its output means nothing until it is
                fine-tuned (`hymt quickstart` does that); it exists so every hymt command runs without the real
                weights. For real translations use the `tencent/HY-MT1.5-1.8B` directory.
                """);
    }

    /** The JSON objects of one shipped corpus file. */
    public static List<JsonNode> readCorpus(String file) {
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> out = new ArrayList<>();
        try (InputStream in = DemoSetup.class.getResourceAsStream(RESOURCE_DIR + file)) {
            if (in == null) throw new IllegalStateException("demo corpus " + file + " missing from the classpath");
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = r.readLine()) != null; ) {
                if (!line.isBlank()) out.add(json.readTree(line));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** Copies a shipped corpus file (and its license) to {@code dir}, e.g. as input for {@code hymt prepare}. */
    public static Path copyCorpus(String file, Path dir) throws IOException {
        Files.createDirectories(dir);
        for (String name : List.of(file, "LICENSE.MPL-2.0")) {
            try (InputStream in = DemoSetup.class.getResourceAsStream(RESOURCE_DIR + name)) {
                if (in == null) throw new IllegalStateException("demo resource " + name + " missing from the classpath");
                AtomicFile.write(dir.resolve(name), in.readAllBytes());
            }
        }
        return dir.resolve(file);
    }
}
