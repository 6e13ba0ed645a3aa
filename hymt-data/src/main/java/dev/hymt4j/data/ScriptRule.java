package dev.hymt4j.data;

import dev.hymt4j.prompt.Language;
import java.lang.Character.UnicodeScript;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Checks that each side is written in its language's script, which is decisive where statistical language
 * identification is weakest (short or mixed text): a zh side must contain Han, ja kana or Han, ko Hangul,
 * ru Cyrillic, and so on; a side in a Latin-script language must have Latin letters and not be mostly
 * Han/kana/Hangul. Text without
 * any letters (numbers, symbols) passes, and so does a side whose language is unknown or not in the table.
 */
public final class ScriptRule implements CleaningRule {
    private static final Set<String> LATIN_LANGUAGES =
            Set.of("en", "fr", "pt", "es", "tr", "it", "de", "vi", "ms", "id", "tl", "pl", "cs", "nl");
    private static final Map<String, Set<UnicodeScript>> REQUIRED = Map.ofEntries(
            Map.entry("zh", Set.of(UnicodeScript.HAN)),
            Map.entry("zh-Hant", Set.of(UnicodeScript.HAN)),
            Map.entry("yue", Set.of(UnicodeScript.HAN)),
            Map.entry("ja", Set.of(UnicodeScript.HAN, UnicodeScript.HIRAGANA, UnicodeScript.KATAKANA)),
            Map.entry("ko", Set.of(UnicodeScript.HANGUL)),
            Map.entry("ru", Set.of(UnicodeScript.CYRILLIC)),
            Map.entry("uk", Set.of(UnicodeScript.CYRILLIC)),
            Map.entry("kk", Set.of(UnicodeScript.CYRILLIC)),
            Map.entry("mn", Set.of(UnicodeScript.CYRILLIC, UnicodeScript.MONGOLIAN)),
            Map.entry("ar", Set.of(UnicodeScript.ARABIC)),
            Map.entry("fa", Set.of(UnicodeScript.ARABIC)),
            Map.entry("ur", Set.of(UnicodeScript.ARABIC)),
            Map.entry("ug", Set.of(UnicodeScript.ARABIC)),
            Map.entry("he", Set.of(UnicodeScript.HEBREW)),
            Map.entry("th", Set.of(UnicodeScript.THAI)),
            Map.entry("hi", Set.of(UnicodeScript.DEVANAGARI)),
            Map.entry("mr", Set.of(UnicodeScript.DEVANAGARI)),
            Map.entry("bn", Set.of(UnicodeScript.BENGALI)),
            Map.entry("gu", Set.of(UnicodeScript.GUJARATI)),
            Map.entry("ta", Set.of(UnicodeScript.TAMIL)),
            Map.entry("te", Set.of(UnicodeScript.TELUGU)),
            Map.entry("km", Set.of(UnicodeScript.KHMER)),
            Map.entry("my", Set.of(UnicodeScript.MYANMAR)),
            Map.entry("bo", Set.of(UnicodeScript.TIBETAN)));

    @Override public String name() { return "script"; }

    @Override public String description() { return "a side not written in its language's script (zh without Han, en mostly CJK, ...)"; }

    @Override
    public Optional<String> problem(ParallelExample ex) {
        return check(ex.source(), ex.srcLang(), "source").or(() -> check(ex.target(), ex.tgtLang(), "target"));
    }

    private static Optional<String> check(String text, String langCode, String side) {
        Language lang = Language.findByCode(langCode).orElse(null);
        if (lang == null || text.codePoints().noneMatch(Character::isLetter)) return Optional.empty();
        if (LATIN_LANGUAGES.contains(lang.code()) && Scripts.mostlyCjk(text)) {
            return Optional.of(side + " (" + lang.code() + ") is mostly Han/kana/Hangul");
        }
        Set<UnicodeScript> required = LATIN_LANGUAGES.contains(lang.code()) ? Set.of(UnicodeScript.LATIN) : REQUIRED.get(lang.code());
        if (required == null) return Optional.empty();
        boolean found = text.codePoints().anyMatch(cp -> required.contains(UnicodeScript.of(cp)));
        if (found) return Optional.empty();
        String scripts = required.stream().map(s -> s.name().toLowerCase()).sorted().collect(Collectors.joining("/"));
        return Optional.of(side + " (" + lang.code() + ") has no " + scripts + " characters");
    }
}
