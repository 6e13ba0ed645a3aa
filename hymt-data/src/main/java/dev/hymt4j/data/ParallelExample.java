package dev.hymt4j.data;

import java.util.List;
import java.util.Objects;

/**
 * One translation pair with everything the HY-MT prompts can use.
 *
 * @param source  text to translate
 * @param target  reference translation
 * @param srcLang source language code (HY-MT codes, e.g. {@code en}, {@code zh-Hant}), or null if unknown
 * @param tgtLang target language code, or null if unknown
 * @param terms   glossary entries for terminology intervention; never null, often empty
 * @param context preceding text for contextual translation, or null
 * @param format  markup flavour of a formatted segment (the source carries {@code <sN>} tags), or null for plain text
 */
public record ParallelExample(String source, String target, String srcLang, String tgtLang,
                              List<Term> terms, String context, String format) {

    /** A glossary entry: how {@code source} must be translated. */
    public record Term(String source, String target) {
        public Term {
            Objects.requireNonNull(source, "term source");
            Objects.requireNonNull(target, "term target");
        }
    }

    public ParallelExample {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(target, "target");
        terms = terms == null ? List.of() : List.copyOf(terms);
    }

    /** A plain pair with no terms, context or format. */
    public static ParallelExample of(String source, String target, String srcLang, String tgtLang) {
        return new ParallelExample(source, target, srcLang, tgtLang, List.of(), null, null);
    }

    public ParallelExample withText(String newSource, String newTarget) {
        return new ParallelExample(newSource, newTarget, srcLang, tgtLang, terms, context, format);
    }

    /** Fills in languages the example does not name itself (e.g. from command-line defaults). */
    public ParallelExample withDefaultLanguages(String defaultSrc, String defaultTgt) {
        if ((srcLang != null || defaultSrc == null) && (tgtLang != null || defaultTgt == null)) return this;
        return new ParallelExample(source, target, srcLang != null ? srcLang : defaultSrc,
                tgtLang != null ? tgtLang : defaultTgt, terms, context, format);
    }

    /** {@code src-tgt}, with {@code ?} for an unknown side; the key of per-pair statistics. */
    public String languagePair() {
        return (srcLang == null ? "?" : srcLang) + "-" + (tgtLang == null ? "?" : tgtLang);
    }
}
