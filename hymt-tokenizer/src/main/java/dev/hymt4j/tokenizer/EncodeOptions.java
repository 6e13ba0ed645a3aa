package dev.hymt4j.tokenizer;

/**
 * How {@link Tokenizer#encode(String, EncodeOptions)} treats special tokens.
 *
 * @param addSpecialTokens apply the tokenizer's post-processor template (e.g. prepend BOS), like
 *                         Hugging Face {@code encode(text, add_special_tokens=True)}
 * @param allowSpecial     when true (Hugging Face behaviour), the text of a special token found in the input,
 *                         e.g. a literal {@code <｜hy_User｜>} or {@code <think>}, becomes that token's id. When
 *                         false, tokens flagged {@code special} are encoded as plain text, which keeps user
 *                         content from injecting chat markers into a translation prompt; this mirrors the
 *                         Hugging Face {@code encode_special_tokens=True} switch. Non-special added tokens are
 *                         still matched either way.
 */
public record EncodeOptions(boolean addSpecialTokens, boolean allowSpecial) {
    /** No template applied, special-token text split out as ids: Hugging Face {@code add_special_tokens=False}. */
    public static final EncodeOptions DEFAULT = new EncodeOptions(false, true);
    /** No template applied, special-token text kept as plain text (robust choice for untrusted MT input). */
    public static final EncodeOptions PLAIN_TEXT = new EncodeOptions(false, false);
}
