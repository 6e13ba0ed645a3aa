package dev.hymt4j.prompt;

import dev.hymt4j.tokenizer.HunyuanTokens;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.ToIntFunction;

/**
 * The special tokens the chat template writes and the generation loop stops on (spec §4.3, §5.3).
 *
 * @param bos         begin of sentence, written once at the start of every prompt
 * @param user        the user-turn marker
 * @param assistant   the assistant-turn marker; also the prompt ending in {@code add_generation_prompt=True} style
 * @param eos         the end of an assistant turn and the model's stop token
 * @param systemEnd   closes the system prompt
 * @param endOfPrompt the README prompt ending ({@code add_generation_prompt=False})
 * @param extraStops  further ids treated as stops because downstream tools saw them leak (§5.3)
 */
public record SpecialTokens(Token bos, Token user, Token assistant, Token eos, Token systemEnd, Token endOfPrompt,
                            List<Token> extraStops) {

    /** A special token's text (as in tokenizer.json, with U+FF5C bars and U+2581 blocks) and its id. */
    public record Token(String text, int id) {
        public Token {
            Objects.requireNonNull(text, "text");
        }
    }

    public SpecialTokens {
        Objects.requireNonNull(bos, "bos");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(assistant, "assistant");
        Objects.requireNonNull(eos, "eos");
        Objects.requireNonNull(systemEnd, "systemEnd");
        Objects.requireNonNull(endOfPrompt, "endOfPrompt");
        extraStops = List.copyOf(extraStops);
    }

    /** The ids of HY-MT1.5-1.8B: 120000, 120006, 120007, 120020, 120021, 120026. */
    public static SpecialTokens hyMt15() {
        Token bos = new Token(HunyuanTokens.BOS, 120000);
        Token user = new Token(HunyuanTokens.USER, 120006);
        Token assistant = new Token(HunyuanTokens.ASSISTANT, 120007);
        Token endOfPrompt = new Token(HunyuanTokens.END_OF_DOCUMENT, 120026);
        return new SpecialTokens(bos, user, assistant, new Token(HunyuanTokens.EOS, 120020),
                new Token(HunyuanTokens.END_OF_SYSTEM, 120021), endOfPrompt,
                List.of(new Token(HunyuanTokens.END_OF_SENTENCE, 120001), new Token(HunyuanTokens.END_OF_TURN, 120008),
                        bos, user, assistant, endOfPrompt));
    }

    /**
     * The HY-MT1.5 token strings with ids looked up in a tokenizer's vocabulary, so the ids follow whatever
     * tokenizer.json is loaded. {@code idOf} returns a negative number for a string it does not know. The six
     * template tokens must exist; defensive extra stops the vocabulary lacks are left out.
     */
    public static SpecialTokens fromVocabulary(ToIntFunction<String> idOf) {
        SpecialTokens defaults = hyMt15();
        List<Token> extraStops = defaults.extraStops.stream()
                .map(t -> new Token(t.text(), idOf.applyAsInt(t.text())))
                .filter(t -> t.id() >= 0)
                .toList();
        return new SpecialTokens(required(idOf, defaults.bos, "begin of sentence"),
                required(idOf, defaults.user, "user-turn marker"),
                required(idOf, defaults.assistant, "assistant-turn marker"),
                required(idOf, defaults.eos, "end of turn / EOS"),
                required(idOf, defaults.systemEnd, "end of system prompt"),
                required(idOf, defaults.endOfPrompt, "end of prompt"),
                extraStops);
    }

    private static Token required(ToIntFunction<String> idOf, Token token, String role) {
        int id = idOf.applyAsInt(token.text());
        if (id < 0) {
            throw new IllegalArgumentException("The tokenizer vocabulary has no " + role + " token '" + token.text()
                    + "' (HY-MT1.5 id " + token.id() + "); is this a HY-MT1.5 / Hunyuan dense tokenizer.json?");
        }
        return new Token(token.text(), id);
    }

    /** Every id that ends generation: EOS first, then the extra stops. */
    public Set<Integer> stopIds() {
        Set<Integer> ids = new LinkedHashSet<>();
        ids.add(eos.id());
        extraStops.forEach(t -> ids.add(t.id()));
        return ids;
    }
}
