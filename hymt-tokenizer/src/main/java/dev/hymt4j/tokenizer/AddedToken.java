package dev.hymt4j.tokenizer;

/**
 * An entry of {@code tokenizer.json}'s {@code added_tokens}, with the meaning {@code tokenizers} gives its flags.
 *
 * @param id         the token id
 * @param content    the literal text matched in the input
 * @param singleWord match only when not glued to a letter or digit on either side
 * @param lstrip     the token also takes the whitespace before it
 * @param rstrip     the token also takes the whitespace after it
 * @param normalized match against the normalized text rather than the raw input
 * @param special    a control token: dropped by {@code skipSpecial} decoding, and treated as text when
 *                   special tokens are not allowed in the input
 */
public record AddedToken(int id, String content, boolean singleWord, boolean lstrip, boolean rstrip,
                         boolean normalized, boolean special) {

    /** A special token with no matching options, as the HY and tiktoken specials are. */
    public static AddedToken special(int id, String content) {
        return new AddedToken(id, content, false, false, false, false, true);
    }
}
