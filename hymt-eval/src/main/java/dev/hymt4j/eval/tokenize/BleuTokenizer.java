package dev.hymt4j.eval.tokenize;

import java.util.List;
import java.util.Locale;

/**
 * A BLEU tokenizer: turns one (already lowercased and right-stripped) segment into a string whose
 * whitespace-separated parts are the tokens, exactly as sacreBLEU's tokenizers do.
 */
public interface BleuTokenizer {

    /** The names {@link #forName} accepts; the first is the default. */
    List<String> NAMES = List.of("13a", "intl", "zh", "char", "none", KuromojiTokenizer.NAME, NoriTokenizer.NAME);

    /** The value of {@code tok:} in the signature. */
    String name();

    /** The tokenized segment (tokens separated by whitespace). */
    String tokenize(String line);

    /** The tokenizer of that name, or an {@link IllegalArgumentException} listing the known names. */
    static BleuTokenizer forName(String name) {
        return switch (name) {
            case "13a" -> new Tokenizer13a();
            case "intl" -> new TokenizerIntl();
            case "zh" -> new TokenizerZh();
            case "char" -> new TokenizerChar();
            case "none" -> new TokenizerNone();
            case KuromojiTokenizer.NAME -> new KuromojiTokenizer();
            case NoriTokenizer.NAME -> new NoriTokenizer();
            default -> throw new IllegalArgumentException(
                    "unknown BLEU tokenizer '" + name + "' (known: " + String.join(", ", NAMES) + ")");
        };
    }

    /**
     * The tokenizer sacreBLEU picks for a target language when none is given: {@code zh} for Chinese,
     * a morphological analyser for Japanese and Korean (sacreBLEU uses MeCab, we use Lucene's
     * Kuromoji and Nori, and the signature says so), {@code 13a} otherwise.
     */
    static String defaultNameForLanguage(String targetLanguage) {
        if (targetLanguage == null) return "13a";
        String lang = targetLanguage.toLowerCase(Locale.ROOT);
        int sep = lang.indexOf('-') >= 0 ? lang.indexOf('-') : lang.indexOf('_');
        if (sep >= 0) lang = lang.substring(0, sep);
        return switch (lang) {
            case "zh" -> "zh";
            case "ja" -> KuromojiTokenizer.NAME;
            case "ko" -> NoriTokenizer.NAME;
            default -> "13a";
        };
    }
}
