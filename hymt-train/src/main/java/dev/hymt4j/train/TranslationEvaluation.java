package dev.hymt4j.train;

import dev.hymt4j.data.ExampleReader;
import dev.hymt4j.data.LocatedExample;
import dev.hymt4j.data.ParallelExample;
import dev.hymt4j.data.TemplatePromptCodec;
import dev.hymt4j.eval.MetricSelection;
import dev.hymt4j.eval.MetricsReport;
import dev.hymt4j.prompt.TranslationRequest;
import dev.hymt4j.translate.Translation;
import dev.hymt4j.translate.Translator;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.IntConsumer;

/**
 * Translates the sources of a parallel data set with a model and scores the outputs against the targets
 * (what {@code hymt eval --model} and the periodic evaluation of {@code hymt train} do). Every example is
 * rendered with the template its fields call for (terms, context, format), so skill-specific test sets are
 * scored with the prompts the model was trained on.
 */
public final class TranslationEvaluation {
    private TranslationEvaluation() {}

    /** The outputs, aligned with the examples, and their scores. */
    public record Result(List<ParallelExample> examples, List<Translation> translations, MetricsReport report) {
        public List<String> hypotheses() {
            return translations.stream().map(Translation::text).toList();
        }
    }

    /** Reads every example of a data file (JSONL, TSV or sharegpt), at most {@code limit} (≤ 0: all). */
    public static List<ParallelExample> read(Path data, int limit) throws IOException {
        List<ParallelExample> examples = new ArrayList<>();
        try (ExampleReader reader = ExampleReader.open(data)) {
            while (reader.hasNext() && (limit <= 0 || examples.size() < limit)) {
                LocatedExample e = reader.next();
                if (e.example().tgtLang() == null) {
                    throw new IOException(data + ":" + e.line() + ": field \"tgt_lang\": needed to know what to translate into");
                }
                examples.add(e.example());
            }
        }
        if (examples.isEmpty()) throw new IOException(data + ": no examples");
        return examples;
    }

    /**
     * The one target language of {@code examples}, which picks the BLEU tokenizer as sacreBLEU does; mixed
     * targets would need different tokenizers, so they are refused unless {@code tokenize} is given.
     */
    public static String targetLanguage(List<ParallelExample> examples, String tokenize) {
        Set<String> targets = new TreeSet<>();
        examples.forEach(e -> targets.add(e.tgtLang()));
        if (targets.size() > 1 && tokenize == null) {
            throw new IllegalArgumentException("the data has several target languages " + targets
                    + "; evaluate each separately, or pass a BLEU tokenizer explicitly");
        }
        return targets.iterator().next();
    }

    /** Translates and scores; {@code onDone} receives the number of finished examples (progress). */
    public static Result run(Translator translator, List<ParallelExample> examples, List<String> metrics,
                             String tokenize, IntConsumer onDone) {
        String target = targetLanguage(examples, tokenize);
        List<TranslationRequest> requests = examples.stream().map(TemplatePromptCodec::toRequest).toList();
        List<Translation> translations = translator.translateAll(requests, onDone::accept);
        List<String> refs = examples.stream().map(ParallelExample::target).toList();
        MetricsReport report = MetricsReport.evaluate(translations.stream().map(Translation::text).toList(),
                List.of(refs), new MetricSelection(metrics, tokenize, false, target));
        return new Result(examples, translations, report);
    }
}
