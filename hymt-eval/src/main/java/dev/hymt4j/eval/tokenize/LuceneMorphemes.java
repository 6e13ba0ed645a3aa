package dev.hymt4j.eval.tokenize;

import dev.hymt4j.eval.PyText;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;

/** Runs a Lucene morphological tokenizer over one segment and joins the morphemes with spaces. */
final class LuceneMorphemes {
    private LuceneMorphemes() {}

    /** {@code tokenizer} must be fresh: Lucene tokenizers are stateful and not thread-safe. */
    static String split(Tokenizer tokenizer, String line) {
        StringBuilder sb = new StringBuilder(line.length() * 2);
        try (tokenizer) {
            tokenizer.setReader(new StringReader(line));
            CharTermAttribute term = tokenizer.addAttribute(CharTermAttribute.class);
            tokenizer.reset();
            while (tokenizer.incrementToken()) {
                sb.append(term).append(' ');
            }
            tokenizer.end();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringReader does not fail
        }
        // Whitespace the analyser keeps as tokens (punctuation is not discarded) must not become tokens.
        return PyText.collapseSpaces(sb.toString());
    }
}
