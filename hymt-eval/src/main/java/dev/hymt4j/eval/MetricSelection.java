package dev.hymt4j.eval;

import dev.hymt4j.eval.tokenize.BleuTokenizer;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;

/**
 * Which metrics to compute and with which settings, built from user-facing names.
 *
 * @param names          metric names in report order: {@code bleu}, {@code chrf}, {@code chrf++}, {@code ter}
 * @param tokenize       BLEU tokenizer; null = chosen from the target language as sacreBLEU does
 * @param lowercase      case-insensitive BLEU and chrF (TER is case-insensitive by default)
 * @param targetLanguage target language code (e.g. {@code zh}, {@code ja}, {@code es}); may be null
 */
public record MetricSelection(List<String> names, String tokenize, boolean lowercase, String targetLanguage) {
    public static final List<String> KNOWN = List.of("bleu", "chrf", "chrf++", "ter");

    public MetricSelection {
        if (names.isEmpty()) throw new IllegalArgumentException("no metric selected (known: " + String.join(", ", KNOWN) + ")");
        List<String> normalized = new ArrayList<>(new LinkedHashSet<>(names.stream()
                .map(n -> n.trim().toLowerCase(Locale.ROOT)).toList()));
        for (String n : normalized) {
            if (!KNOWN.contains(n)) {
                throw new IllegalArgumentException("unknown metric '" + n + "' (known: " + String.join(", ", KNOWN) + ")");
            }
        }
        names = List.copyOf(normalized);
        if (tokenize != null) BleuTokenizer.forName(tokenize);
    }

    /** All four metrics with sacreBLEU's defaults for that target language. */
    public static MetricSelection defaults(String targetLanguage) {
        return new MetricSelection(KNOWN, null, false, targetLanguage);
    }

    /** Parses a comma-separated list such as {@code bleu,chrf++}. */
    public static List<String> parseNames(String commaSeparated) {
        return List.of(commaSeparated.split(",")).stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    public List<Metric> metrics() {
        return names.stream().map(this::metric).toList();
    }

    private Metric metric(String name) {
        return switch (name) {
            case "bleu" -> {
                Bleu.Options options = Bleu.Options.forLanguage(targetLanguage).withLowercase(lowercase);
                yield new Bleu(tokenize == null ? options : options.withTokenize(tokenize));
            }
            case "chrf" -> new Chrf(Chrf.Options.chrf().withLowercase(lowercase));
            case "chrf++" -> new Chrf(Chrf.Options.chrfPlusPlus().withLowercase(lowercase));
            case "ter" -> new Ter();
            default -> throw new IllegalStateException(name); // rejected by the constructor
        };
    }
}
