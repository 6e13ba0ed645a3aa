package dev.hymt4j.eval.tokenize;

import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.ko.KoreanTokenizer;

/**
 * Korean morpheme segmentation with Lucene Nori (mecab-ko-dic), our stand-in for sacreBLEU's
 * {@code ko-mecab}. Compounds are kept whole (as MeCab's wakati output does) and punctuation is kept
 * as tokens. Scores are close to, not identical with, {@code ko-mecab}; the signature says
 * {@code tok:ko-nori}.
 */
public final class NoriTokenizer implements BleuTokenizer {
    public static final String NAME = "ko-nori";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String tokenize(String line) {
        KoreanTokenizer tokenizer = new KoreanTokenizer(TokenStream.DEFAULT_TOKEN_ATTRIBUTE_FACTORY, null,
                KoreanTokenizer.DecompoundMode.NONE, false, false);
        return LuceneMorphemes.split(tokenizer, line);
    }
}
