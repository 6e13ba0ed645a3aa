package dev.hymt4j.tokenizer;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Cuts (normalized) text into the pieces that byte-level BPE encodes one by one, with the semantics of the
 * Hugging Face {@code tokenizers} pre-tokenizer of the same name. Implementations are immutable and thread-safe.
 */
public interface PreTokenizer {

    /** Appends the non-empty pieces of {@code text}, in order, to {@code out}. */
    void split(String text, List<String> out);

    /** This pre-tokenizer as a {@code tokenizer.json} {@code pre_tokenizer} object. */
    ObjectNode toJson();

    /** What {@link #split(String, List)} does with regex matches; the names follow {@code tokenizers}' SplitDelimiterBehavior. */
    enum SplitBehavior {
        /** Matches are dropped. */
        Removed,
        /** Each match and each gap between matches is its own piece. */
        Isolated,
        /** Each match is glued to the piece before it. */
        MergedWithPrevious,
        /** Each match is glued to the piece after it. */
        MergedWithNext,
        /** Adjacent matches are joined into one piece (and adjacent gaps likewise). */
        Contiguous
    }

    /** A {@code Split} pre-tokenizer with an Oniguruma-style regular expression, as found in {@code tokenizer.json}. */
    static PreTokenizer splitRegex(String onigRegex, SplitBehavior behavior, boolean invert) {
        return new SplitPreTokenizer(onigRegex, true, behavior, invert);
    }

    /** A {@code Split} pre-tokenizer on a literal string. */
    static PreTokenizer splitLiteral(String literal, SplitBehavior behavior, boolean invert) {
        return new SplitPreTokenizer(literal, false, behavior, invert);
    }

    /** Stages applied one after the other, each to every piece the previous one produced. */
    static PreTokenizer sequence(List<PreTokenizer> stages) {
        return new SequencePreTokenizer(stages);
    }

    /** The {@code ByteLevel} pre-tokenizer (optionally splitting with GPT-2's regex first). */
    static PreTokenizer byteLevel(boolean addPrefixSpace, boolean useRegex) {
        return new ByteLevelPreTokenizer(addPrefixSpace, useRegex);
    }

    /**
     * The HY dense (HY-MT1.5-1.8B) pre-tokenizer of spec §4.2: digit groups of up to three, CJK/kana runs,
     * then the letter/punctuation regex, each stage {@code Isolated}, followed by ByteLevel without regex.
     */
    static PreTokenizer hunyuan() {
        return sequence(List.of(
                splitRegex(HunyuanTokens.PRE_TOKENIZE_DIGITS, SplitBehavior.Isolated, false),
                splitRegex(HunyuanTokens.PRE_TOKENIZE_CJK, SplitBehavior.Isolated, false),
                splitRegex(HunyuanTokens.PRE_TOKENIZE_WORDS, SplitBehavior.Isolated, false),
                byteLevel(false, false)));
    }

    /**
     * Compiles a regular expression written for Oniguruma (which {@code tokenizers} uses) to a Java pattern
     * with the same meaning on the constructs tokenizer files use: {@code \s}, {@code \S}, {@code \w}, {@code \d}
     * are Unicode-aware (Oniguruma's {@code \s} = Java's White_Space set), and {@code &&} inside a character
     * class, an intersection in Java but two literal ampersands in Oniguruma, is escaped.
     */
    static Pattern compileOniguruma(String regex) {
        StringBuilder java = new StringBuilder(regex.length() + 8);
        int classDepth = 0;
        for (int i = 0; i < regex.length(); i++) {
            char c = regex.charAt(i);
            if (c == '\\' && i + 1 < regex.length()) {
                java.append(c).append(regex.charAt(++i));
                continue;
            }
            if (c == '[') classDepth++;
            else if (c == ']' && classDepth > 0) classDepth--;
            else if (c == '&' && classDepth > 0 && i + 1 < regex.length() && regex.charAt(i + 1) == '&') {
                java.append("\\&");
                continue;
            }
            java.append(c);
        }
        return Pattern.compile(java.toString(), Pattern.UNICODE_CHARACTER_CLASS);
    }
}
