package dev.hymt4j.gptq;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hymt4j.data.ParallelExample;
import dev.hymt4j.demo.DemoSetup;
import dev.hymt4j.merge.Merger;
import dev.hymt4j.model.ForwardOptions;
import dev.hymt4j.model.HunyuanModel;
import dev.hymt4j.tokenizer.Tokenizer;
import dev.hymt4j.train.ExampleEncoder;
import dev.hymt4j.train.TrainReport;
import dev.hymt4j.train.Trainer;
import dev.hymt4j.train.TrainingConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * On the fine-tuned demo model (the demo model after a short LoRA fine-tune on the shipped sample, merged),
 * GPTQ 4-bit group 128 beats round-to-nearest at the same bits and group size: lower relative output error on
 * every layer (both measured on the same Hessians) and a next-token distribution closer to the float model's
 * (lower KL divergence) on held-out pairs that neither the fine-tune nor the calibration saw, with a held-out
 * perplexity within 0.5% of the float model's. Perplexity and KL are computed here from the logits (log-softmax
 * of the next token over the answer positions). About a minute on 2 cores (the fine-tune is most of it).
 *
 * <p>Why KL and not "GPTQ perplexity below RTN perplexity": on this small model both quantizers move the
 * perplexity by ~0.1% and in either direction (quantization noise can lower it below the float model's: a CI run
 * on an AVX2 host measured float 2091.37, GPTQ 2089.20, RTN 2088.88 while KL was 9.5e-5 against 2.3e-4), so the
 * sign of that difference is noise; KL measures the distance to the float model directly and is what GPTQ
 * minimises (layer by layer).
 */
class GptqVersusRoundToNearestTest {

    @Test
    void gptqBeatsRoundToNearestOnTheFineTunedDemoModel(@TempDir Path tmp) throws IOException {
        Path base = tmp.resolve("base"), data = Files.createDirectories(tmp.resolve("data"));
        DemoSetup.create(base, 1);
        List<JsonNode> pairs = DemoSetup.readCorpus(DemoSetup.CORPUS.get(0));
        List<String> train = new ArrayList<>(), valid = new ArrayList<>();
        for (int i = 0; i < 800; i++) train.add(pairs.get(i).toString());
        for (int i = 800; i < 816; i++) valid.add(pairs.get(i).toString());
        Files.write(data.resolve("train.jsonl"), train);
        Files.write(data.resolve("valid.jsonl"), valid);
        TrainingConfig config = TrainingConfig.fromOverrides(List.of("model=" + base, "data.train=" + data.resolve("train.jsonl"),
                "data.valid=" + data.resolve("valid.jsonl"), "output_dir=" + tmp.resolve("run"), "max_steps=120",
                "per_device_train_batch_size=8", "learning_rate=3e-3", "lr_scheduler_type=cosine", "warmup_ratio=0.05",
                "lora.r=32", "lora.alpha=64", "lora.dropout=0", "lora.target_modules=all-linear", "logging_steps=30",
                "eval_steps=1000", "save_steps=1000", "seed=42", "threads=2"));
        TrainReport report = new Trainer(config, new PrintStream(OutputStream.nullOutputStream())).run(false);
        Path tuned = tmp.resolve("tuned");
        Merger.merge(base, report.adapterDir(), tuned, null);

        Tokenizer tokenizer = Tokenizer.load(tuned);
        Path calibrationFile = data.resolve("train.jsonl");
        int[][] calibration = CalibrationData.load(calibrationFile, tokenizer, 16, 128);
        List<GptqModelQuantizer.LayerReport> gptqLayers = new ArrayList<>();
        new GptqModelQuantizer(GptqModelQuantizer.Method.GPTQ, GptqOptions.DEFAULT, true)
                .run(tuned, calibration, "train", tmp.resolve("gptq"), gptqLayers::add);
        new GptqModelQuantizer(GptqModelQuantizer.Method.RTN, GptqOptions.DEFAULT, false)
                .run(tuned, calibration, "train", tmp.resolve("rtn"), r -> {});

        StringBuilder numbers = new StringBuilder();
        for (GptqModelQuantizer.LayerReport r : gptqLayers) {
            numbers.append(String.format(Locale.ROOT, "layer %d: GPTQ %.4e RTN %.4e%n", r.layer(), r.meanError(), r.meanRtnError()));
            for (String linear : r.errors().keySet()) {
                assertTrue(r.errors().get(linear) < r.rtnErrors().get(linear), "layer " + r.layer() + " " + linear + "\n" + numbers);
            }
        }
        // Held-out pairs: after everything the fine-tune and the calibration used.
        ExampleEncoder encoder = new ExampleEncoder(tokenizer);
        List<ExampleEncoder.Sequence> heldOut = new ArrayList<>();
        for (int i = 900; i < 940; i++) {
            JsonNode p = pairs.get(i);
            heldOut.add(encoder.encode(ParallelExample.of(p.get("source").asText(), p.get("target").asText(),
                    p.path("src_lang").asText("en"), p.path("tgt_lang").asText("zh"))));
        }
        double pFloat = perplexity(tuned, heldOut), pGptq = perplexity(tmp.resolve("gptq"), heldOut), pRtn = perplexity(tmp.resolve("rtn"), heldOut);
        numbers.append(String.format(Locale.ROOT, "held-out perplexity: float %.4f, GPTQ %.4f, RTN %.4f (base %.4f)%n", pFloat, pGptq, pRtn,
                perplexity(base, heldOut)));
        double kGptq = divergence(tuned, tmp.resolve("gptq"), heldOut), kRtn = divergence(tuned, tmp.resolve("rtn"), heldOut);
        numbers.append(String.format(Locale.ROOT, "held-out KL(float ‖ quantized) per token: GPTQ %.4e, RTN %.4e%n", kGptq, kRtn));
        System.out.print(numbers);
        assertTrue(kGptq < kRtn, numbers.toString());
        assertTrue(Math.abs(pGptq - pFloat) <= 0.005 * pFloat, numbers.toString());
    }

    /** Mean over the answer positions of KL(p_float ‖ p_quantized) of the next-token distributions. */
    static double divergence(Path reference, Path quantized, List<ExampleEncoder.Sequence> sequences) throws IOException {
        double kl = 0;
        long count = 0;
        try (HunyuanModel f = HunyuanModel.load(reference); HunyuanModel q = HunyuanModel.load(quantized)) {
            int vocab = f.config().vocabSize();
            for (ExampleEncoder.Sequence s : sequences) {
                float[] lf = f.forward(s.ids(), ForwardOptions.ALL_LOGITS).logits(), lq = q.forward(s.ids(), ForwardOptions.ALL_LOGITS).logits();
                for (int t = s.promptLength() - 1; t + 1 < s.length(); t++) {
                    double[] pf = logSoftmax(lf, t * vocab, vocab), pq = logSoftmax(lq, t * vocab, vocab);
                    for (int v = 0; v < vocab; v++) kl += Math.exp(pf[v]) * (pf[v] - pq[v]);
                    count++;
                }
            }
        }
        return kl / count;
    }

    static double[] logSoftmax(float[] logits, int off, int vocab) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (int v = 0; v < vocab; v++) max = Math.max(max, logits[off + v]);
        for (int v = 0; v < vocab; v++) sum += Math.exp(logits[off + v] - max);
        double[] out = new double[vocab];
        for (int v = 0; v < vocab; v++) out[v] = logits[off + v] - max - Math.log(sum);
        return out;
    }

    /**
     * exp(mean of −log softmax(logits)[next id]) over the answer tokens (target + EOS): what the fine-tune
     * trained, as its loss (the prompt part is never a training target).
     */
    static double perplexity(Path model, List<ExampleEncoder.Sequence> sequences) throws IOException {
        double nll = 0;
        long count = 0;
        try (HunyuanModel m = HunyuanModel.load(model)) {
            int vocab = m.config().vocabSize();
            for (ExampleEncoder.Sequence s : sequences) {
                int[] ids = s.ids();
                float[] logits = m.forward(ids, ForwardOptions.ALL_LOGITS).logits();
                for (int t = s.promptLength() - 1; t + 1 < ids.length; t++) {
                    nll -= logSoftmax(logits, t * vocab, vocab)[ids[t + 1]];
                    count++;
                }
            }
        }
        return Math.exp(nll / count);
    }
}
