package dev.hymt4j.eval.tokenize;

import org.apache.lucene.analysis.ja.JapaneseTokenizer;

/**
 * Japanese word segmentation with Lucene Kuromoji (IPADIC), our stand-in for sacreBLEU's
 * {@code ja-mecab} (MeCab + IPADIC, wakati output). NORMAL mode gives MeCab-like segments without
 * Kuromoji's search-oriented decompounding, and punctuation is kept as tokens as MeCab does. Scores
 * are close to, not identical with, {@code ja-mecab}; the signature says {@code tok:ja-kuromoji}.
 */
public final class KuromojiTokenizer implements BleuTokenizer {
    public static final String NAME = "ja-kuromoji";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String tokenize(String line) {
        return LuceneMorphemes.split(new JapaneseTokenizer(null, false, JapaneseTokenizer.Mode.NORMAL), line);
    }
}
