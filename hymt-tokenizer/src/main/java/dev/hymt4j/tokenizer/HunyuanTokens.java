package dev.hymt4j.tokenizer;

import java.util.List;

/**
 * Strings of the HY dense (HY-MT1.5-1.8B) tokenizer, spec §4.2–4.3. The special tokens use FULLWIDTH VERTICAL
 * LINE U+FF5C and LOWER ONE EIGHTH BLOCK U+2581 (never ASCII {@code |} or {@code _}); they were generated from
 * the spec file's bytes. Values tagged [R]/[U] in the spec are only defaults: trainers and loaders take the
 * lists as parameters.
 */
public final class HunyuanTokens {
    private HunyuanTokens() {}

    /** Stage A of the pre-tokenizer: digits in groups of at most three. */
    public static final String PRE_TOKENIZE_DIGITS = "\\p{N}{1,3}";
    /** Stage B: runs of CJK ideographs (U+4E00–U+9FA5), hiragana and katakana. */
    public static final String PRE_TOKENIZE_CJK = "[\u4E00-\u9FA5\u3040-\u309F\u30A0-\u30FF]+";
    /** Stage C: the DeepSeek-V3-style letter/punctuation/whitespace regex. */
    public static final String PRE_TOKENIZE_WORDS = "[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\\r\\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+| ?[\\p{P}\\p{S}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    /** Begin of sentence, id 120000 in the real vocabulary. */
    public static final String BOS = "<\uFF5Chy_begin\u2581of\u2581sentence\uFF5C>";
    /** End of sentence (not the configured EOS), 120001. */
    public static final String END_OF_SENTENCE = "<\uFF5Chy_end\u2581of\u2581sentence\uFF5C>";
    /** Padding, 120002. */
    public static final String PAD = "<\uFF5Chy_\u2581pad\u2581\uFF5C>";
    /** User-turn marker, 120006. */
    public static final String USER = "<\uFF5Chy_User\uFF5C>";
    /** Assistant-turn marker, 120007. */
    public static final String ASSISTANT = "<\uFF5Chy_Assistant\uFF5C>";
    /** End of turn (not used by the MT template), 120008. */
    public static final String END_OF_TURN = "<\uFF5Chy_EOT\uFF5C>";
    /** The configured EOS and end of an assistant turn ({@code no▁2}), 120020. */
    public static final String EOS = "<\uFF5Chy_place\u2581holder\u2581no\u25812\uFF5C>";
    /** End of the system prompt ({@code no▁3}), 120021. */
    public static final String END_OF_SYSTEM = "<\uFF5Chy_place\u2581holder\u2581no\u25813\uFF5C>";
    /** End of document / prompt end without generation prompt ({@code no▁8}), 120026. */
    public static final String END_OF_DOCUMENT = "<\uFF5Chy_place\u2581holder\u2581no\u25818\uFF5C>";

    /**
     * The added tokens in id order as far as spec §4.3 knows them: ids 120000–120032 in the real tokenizer,
     * then {@code /no_think} (120040 there; the strings of 120033–120039 are unknown, so none are invented).
     */
    public static final List<String> SPECIAL_TOKENS = List.of(
            BOS,
            END_OF_SENTENCE,
            PAD,
            "<\uFF5Chy_fim\u2581hole\uFF5C>",
            "<\uFF5Chy_fim\u2581begin\uFF5C>",
            "<\uFF5Chy_fim\u2581end\uFF5C>",
            USER,
            ASSISTANT,
            END_OF_TURN,
            "<\uFF5Chy_place\u2581holder\u2581no\u258111\uFF5C>",
            "<\uFF5Chy_place\u2581holder\u2581no\u258112\uFF5C>",
            "<\uFF5Chy_place\u2581holder\u2581no\u258113\uFF5C>",
            "<\uFF5Chy_place\u2581holder\u2581no\u258114\uFF5C>",
            "<\uFF5Chy_place\u2581holder\u2581no\u258115\uFF5C>",
            "<\uFF5Chy_place\u2581holder\u2581no\u258116\uFF5C>",
            "<\uFF5Chy_place\u2581holder\u2581no\u258117\uFF5C>",
            "<\uFF5Chy_place\u2581holder\u2581no\u258118\uFF5C>",
            "<\uFF5Chy_place\u2581holder\u2581no\u258119\uFF5C>",
            "<\uFF5Chy_place\u2581holder\u2581no\u25810\uFF5C>",
            "<\uFF5Chy_place\u2581holder\u2581no\u25811\uFF5C>",
            EOS,
            END_OF_SYSTEM,
            "<\uFF5Chy_place\u2581holder\u2581no\u25814\uFF5C>",
            "<\uFF5Chy_place\u2581holder\u2581no\u25815\uFF5C>",
            "<\uFF5Chy_place\u2581holder\u2581no\u25816\uFF5C>",
            "<\uFF5Chy_place\u2581holder\u2581no\u25817\uFF5C>",
            END_OF_DOCUMENT,
            "<\uFF5Chy_place\u2581holder\u2581no\u25819\uFF5C>",
            "<\uFF5Chy_place\u2581holder\u2581no\u258110\uFF5C>",
            "<think>",
            "</think>",
            "<answer>",
            "</answer>",
            "/no_think");
}
