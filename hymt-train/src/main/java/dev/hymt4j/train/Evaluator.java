package dev.hymt4j.train;

import dev.hymt4j.generate.GenerationConfig;
import dev.hymt4j.model.HunyuanModel;
import dev.hymt4j.model.Training;
import dev.hymt4j.model.TrainingBatch;
import dev.hymt4j.prompt.GenerationDefaults;
import dev.hymt4j.tokenizer.Tokenizer;
import dev.hymt4j.translate.Translator;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.IntStream;

/**
 * The periodic evaluation of {@code hymt train} on the validation split: the teacher-forced loss (mean over all
 * answer tokens, as the training loss) and BLEU and chrF of greedy translations. Translation runs the inference
 * model's engine with the adapter on every request; the adapter is read live, so one translator serves every
 * evaluation of the run (its prefix cache keys change with the adapter's weights).
 */
final class Evaluator {
    private final Training model;
    private final EncodedDataset valid;
    private final Translator translator;
    private final String bleuTokenize;
    private final int batchSize;

    /**
     * @param model     the training model (its loss is the validation loss)
     * @param inference the same weights for greedy translation on the engine (the Java kernels, whatever the
     *                  training backend)
     */
    Evaluator(Training model, HunyuanModel inference, EncodedDataset valid, Tokenizer tokenizer, GenerationDefaults defaults,
              int maxNewTokens, int batchSize) {
        this.model = model;
        this.valid = valid;
        this.batchSize = batchSize;
        this.translator = Translator.create(inference, tokenizer, defaults).withAdapter(model.adapter()).withBatchSize(batchSize)
                .withGeneration(GenerationConfig.builder().greedy().maxNewTokens(maxNewTokens).build());
        Set<String> targets = new TreeSet<>();
        valid.examples().forEach(e -> targets.add(e.tgtLang()));
        // One target language picks sacreBLEU's tokenizer for it (zh, ja, ko); mixed targets share the intl one.
        this.bleuTokenize = targets.size() == 1 ? null : "intl";
    }

    /** {@code eval_loss}, {@code eval_bleu}, {@code eval_chrf}, in that order. */
    Map<String, Object> evaluate() {
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("eval_loss", validationLoss());
        TranslationEvaluation.Result r = TranslationEvaluation.run(translator, valid.examples(), List.of("bleu", "chrf"),
                bleuTokenize, done -> {});
        metrics.put("eval_bleu", r.report().result("bleu").corpus().score());
        metrics.put("eval_chrf", r.report().result("chrf").corpus().score());
        return metrics;
    }

    /** Token-weighted mean loss over the whole split, in batches of similar length. */
    private double validationLoss() {
        Integer[] order = IntStream.range(0, valid.size()).boxed().toArray(Integer[]::new);
        Arrays.sort(order, (a, b) -> Integer.compare(valid.length(a), valid.length(b)));
        double sum = 0;
        long tokens = 0;
        for (int from = 0; from < order.length; from += batchSize) {
            int[] indices = Arrays.stream(order, from, Math.min(order.length, from + batchSize)).mapToInt(Integer::intValue).toArray();
            int length = Arrays.stream(indices).map(valid::length).max().orElseThrow();
            TrainingBatch batch = valid.batch(indices, length);
            int count = batch.targetCount();
            sum += model.loss(batch) * count;
            tokens += count;
        }
        return sum / tokens;
    }
}
