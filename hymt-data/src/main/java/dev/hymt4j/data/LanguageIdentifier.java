package dev.hymt4j.data;

import com.github.pemistahl.lingua.api.IsoCode639_1;
import com.github.pemistahl.lingua.api.LanguageDetector;
import com.github.pemistahl.lingua.api.LanguageDetectorBuilder;
import dev.hymt4j.prompt.Language;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The language identifier of the data tools (Lingua, restricted to the HY-MT languages it knows): {@link LanguageIdRule}
 * uses it to drop pairs in the wrong language, and {@code hymt serve}'s {@code /detect} answers with it, so both
 * judge text the same way. See {@link LanguageIdRule} for why Lingua and for the accuracy trade-off.
 *
 * <p>Lingua names only one Chinese, so Han text detects as {@code zh} (never {@code zh-Hant} or {@code yue}).
 * Thread-safe: Lingua's detector is.
 */
public final class LanguageIdentifier {

    /** A candidate language and Lingua's confidence in it, from 0 to 1. */
    public record Guess(Language language, double confidence) {}

    private final LanguageDetector detector;

    public LanguageIdentifier(LanguageIdRule.Accuracy accuracy) {
        List<com.github.pemistahl.lingua.api.Language> languages = new ArrayList<>();
        for (com.github.pemistahl.lingua.api.Language lang : com.github.pemistahl.lingua.api.Language.values()) {
            if (lang != com.github.pemistahl.lingua.api.Language.UNKNOWN && hyMt(lang).isPresent()) languages.add(lang);
        }
        LanguageDetectorBuilder builder = LanguageDetectorBuilder
                .fromLanguages(languages.toArray(com.github.pemistahl.lingua.api.Language[]::new))
                // Return UNKNOWN rather than a coin flip when the top two languages are close.
                .withMinimumRelativeDistance(0.1)
                .withPreloadedLanguageModels();
        if (accuracy == LanguageIdRule.Accuracy.LOW) builder = builder.withLowAccuracyMode();
        this.detector = builder.build();
    }

    /** The language of {@code text}, or empty when Lingua cannot tell (no letters, or two languages too close). */
    public Optional<Language> detect(String text) {
        return hyMt(detector.detectLanguageOf(text));
    }

    /** Every candidate with a confidence above 0, most likely first (empty for text without letters). */
    public List<Guess> guesses(String text) {
        List<Guess> guesses = new ArrayList<>();
        for (Map.Entry<com.github.pemistahl.lingua.api.Language, Double> e
                : detector.computeLanguageConfidenceValues(text).entrySet()) {
            if (e.getValue() > 0) hyMt(e.getKey()).ifPresent(l -> guesses.add(new Guess(l, e.getValue())));
        }
        return guesses;
    }

    private static Optional<Language> hyMt(com.github.pemistahl.lingua.api.Language lang) {
        if (lang == com.github.pemistahl.lingua.api.Language.UNKNOWN) return Optional.empty();
        IsoCode639_1 iso = lang.getIsoCode639_1();
        return Language.findByCode(iso.toString().toLowerCase(Locale.ROOT));
    }
}
